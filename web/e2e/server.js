// Starts the parley binary for a spec: free port, temp data dir, dist/ as the web root.
// PARLEY_BIN overrides the binary (default ../build/parley, relative to web/); `args` adds
// flags (e.g. `--recall-window 2`).
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const distDir = path.join(webDir, 'dist')
export const binPath = path.resolve(webDir, process.env.PARLEY_BIN || '../build/parley')

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.unref()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

export async function startServer({ args = [] } = {}) {
  if (!fs.existsSync(binPath)) throw new Error(`parley binary not found at ${binPath} (set PARLEY_BIN)`)
  if (!fs.existsSync(path.join(distDir, 'index.html'))) throw new Error('web/dist is missing: run `npm run build` first')
  const port = await freePort()
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-e2e-'))
  // `server.args` may be changed before a restart (e.g. registration open, then invite-only).
  const server = { port, dataDir, url: `http://127.0.0.1:${port}`, proc: null, log: '', args: [...args] }

  server.start = async () => {
    // Every browser of a spec registers from 127.0.0.1: the per-address registration rate (30 a
    // minute) is off here, as in the C++ tests' harness; a spec may set it again in `args`.
    const base = ['--host', '127.0.0.1', '--port', String(port), '--data', dataDir, '--web', distDir, '--registrations-per-minute', '0']
    const proc = spawn(binPath, [...base, ...server.args], {
      stdio: ['ignore', 'pipe', 'pipe']
    })
    server.proc = proc
    proc.stdout.on('data', (d) => (server.log += d))
    proc.stderr.on('data', (d) => (server.log += d))
    let exited = null
    proc.on('exit', (code, sig) => (exited = { code, sig }))
    const deadline = Date.now() + 20_000
    while (Date.now() < deadline) {
      if (exited) throw new Error(`parley exited (${JSON.stringify(exited)}) before it was healthy:\n${server.log.slice(-2000)}`)
      try {
        const r = await fetch(`${server.url}/healthz`)
        if (r.status === 200) return
      } catch {
        /* not listening yet */
      }
      await sleep(100)
    }
    throw new Error(`parley did not answer /healthz within 20 s:\n${server.log.slice(-2000)}`)
  }

  server.stop = async (signal = 'SIGTERM') => {
    const proc = server.proc
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return
    const gone = new Promise((r) => proc.once('exit', r))
    proc.kill(signal)
    const t = setTimeout(() => proc.kill('SIGKILL'), 5000)
    await gone
    clearTimeout(t)
  }

  /** Same port, same data dir: what a crash and a supervisor restart look like. */
  server.restart = async (signal = 'SIGKILL') => {
    await server.stop(signal)
    await server.start()
  }

  server.cleanup = async () => {
    await server.stop()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }

  await server.start()
  return server
}
