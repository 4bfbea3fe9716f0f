// The server's default limits (docs/PROTOCOL.md; config `limits`). Checking them here
// turns a refused or connection-closing frame into a clear message before sending.
export const MAX_CONTENT_BYTES = 16 * 1024 // text of one message, UTF-8 bytes
export const MAX_FRAME_BYTES = 64 * 1024 // a bigger frame makes the server close the socket (1009)
export const MAX_RECIPIENTS = 100

const encoder = new TextEncoder()
export function utf8Length(s) {
  return encoder.encode(s).length
}
