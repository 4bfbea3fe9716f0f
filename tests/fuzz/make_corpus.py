#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seed corpora in tests/fuzz/corpus/<target>/ (deterministic; re-run after changing
it and commit the result). Seeds are small, realistic inputs from docs/PROTOCOL.md."""
import base64, hashlib, hmac, json, os, shutil, struct

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
SECRET = b"parley-fuzz-secret-0123456789abcdef0123456789abcdef"  # as in fuzz_token.cpp


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- HTTP requests (the classic API and the extensions) ----
def req(method, target, headers=(), body=b""):
    if isinstance(body, str):
        body = body.encode()
    lines = [f"{method} {target} HTTP/1.1", "Host: localhost:9288"] + list(headers)
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body

http = {
    "register": req("POST", "/api/register", body='{"name":"alice","password":"secret"}'),
    "register_cjk": req("POST", "/api/register", body='{"name":"张三","password":"孔雀大明王"}'),
    "login": req("POST", "/api/login", ["Origin: http://localhost:8080"],
                 '{"name":"alice","password":"secret"}'),
    "list": req("GET", "/api/list"),
    "loginlist": req("GET", "/api/loginlist", ["Connection: keep-alive"]),
    "user": req("GET", "/api/user", ["w-token: eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.x"]),
    "history": req("GET", "/api/history?with=%E5%BC%A0%E4%B8%89&before=120&limit=50",
                   ["w-token: abc"]),
    "logout_all": req("POST", "/api/logout?all=1", ["w-token: abc", "Content-Length: 0"]),
    "conversations": req("GET", "/api/conversations", ["Authorization: Bearer abc"]),
    "options": req("OPTIONS", "/api/login", ["Access-Control-Request-Method: POST",
                                            "Access-Control-Request-Headers: content-type, w-token"]),
    "upgrade": req("GET", "/api/ws", ["Upgrade: websocket", "Connection: Upgrade",
                                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                                      "Sec-WebSocket-Version: 13", "Origin: http://localhost:9288"]),
    "static_http10": b"GET /assets/index.js HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    "pipelined": req("GET", "/healthz") + req("GET", "/readyz", ["Connection: close"]),
    "chunked": req("POST", "/api/login", ["Transfer-Encoding: chunked"]) + b"5\r\nhello\r\n0\r\n\r\n",
    "partial_body": req("POST", "/api/register", body='{"name":"bob"}')[:-4],
    "query_plus": req("GET", "/api/history?with=a+b%20c&limit=&x"),
}
for k, v in http.items():
    write("fuzz_http_request", k, v)


# ---- WebSocket frames (client -> server: masked) ----
MASK = b"\x37\xfa\x21\x3d"

def frame(op, payload, fin=True, mask=MASK, rsv=0):
    if isinstance(payload, str):
        payload = payload.encode()
    b0 = (0x80 if fin else 0) | (rsv << 4) | op
    n = len(payload)
    m = 0x80 if mask is not None else 0
    if n < 126:
        h = bytes([b0, m | n])
    elif n <= 0xFFFF:
        h = bytes([b0, m | 126]) + struct.pack(">H", n)
    else:
        h = bytes([b0, m | 127]) + struct.pack(">Q", n)
    if mask is None:
        return h + payload
    return h + mask + bytes(c ^ mask[i % 4] for i, c in enumerate(payload))

auth = '{"type":"auth","content":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.sig"}'
normal = '{"type":"normal","content":"你好","to":["张三"],"cid":"c1"}'
ws = {
    "text_auth": frame(1, auth),
    "text_normal_cjk": frame(1, normal),
    "ping_pong_close": frame(9, "hi") + frame(10, "") + frame(8, b"\x03\xe8bye"),
    "fragmented_text": frame(1, '{"type":"nor', fin=False) + frame(0, 'mal","content":"é', fin=False)
                       + frame(9, "mid") + frame(0, '","to":["bob"]}'),
    "fragmented_split_utf8": frame(1, "\xe4".encode("latin-1"), fin=False)
                             + frame(0, b"\xbd\xa0", fin=True),
    "len16": frame(1, '{"type":"normal","content":"' + "x" * 300 + '","to":["a"]}'),
    "len64_partial": frame(2, b"\x00" * 65536)[:14 + 32],  # 64-bit length, payload still arriving
    "unmasked": frame(1, '{"type":"ping"}', mask=None),
    "rsv1": frame(1, "{}", rsv=4),
    "binary": frame(2, b"\x00\x01\x02"),
    "invalid_utf8": frame(1, b"\xed\xa0\x80"),  # a surrogate
    "zero_mask": frame(1, '{"type":"ping"}', mask=b"\0\0\0\0"),
}
for k, v in ws.items():
    write("fuzz_ws_frame", k, v)


# ---- client frames (one WebSocket text message) ----
frames = {
    "auth": '{"type":"auth","content":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.sig"}',
    "auth_resume": '{"type":"auth","content":"t","seq":1234}',
    "auth_seq_big": '{"type":"auth","content":"t","seq":18446744073709551615}',
    "normal": '{"type":"normal","content":"hi","to":["bob"]}',
    "normal_cjk_cid": normal,
    "normal_many": '{"type":"normal","content":"hello all","to":["a","b","c","d"],"from":"x"}',
    "normal_escapes": '{"type":"normal","content":"a\\u0000b\\"c\\ud83d\\ude00\\n","to":["\\u5f20"]}',
    "ping": '{"type":"ping"}',
    "unknown": '{"type":"typing","to":["bob"]}',
    "bad_to": '{"type":"normal","content":"x","to":"bob"}',
    "null_cid": '{"type":"normal","content":"x","to":["b"],"cid":null}',
    "nested": '{"type":"normal","content":"x","to":[["a"]],"x":{"y":{"z":[1,2.5e3,true,null]}}}',
    "not_object": '["type","auth"]',
}
for k, v in frames.items():
    write("fuzz_client_frame", k, v)


# ---- tokens ----
def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

def token(claims):
    head = b64url(b'{"alg":"HS256","typ":"JWT"}')
    body = b64url(json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode())
    si = f"{head}.{body}"
    sig = b64url(hmac.new(SECRET, si.encode(), hashlib.sha256).digest())
    return f"{si}.{sig}"

claims = {"sub": "张三", "uid": 7, "gen": 0, "jti": "0123456789abcdef0123456789abcdef",
          "iat": 1699990000, "exp": 4102444800}
write("fuzz_token", "valid", token(claims))
write("fuzz_token", "expired", token(dict(claims, exp=1600000000)))
write("fuzz_token", "alg_none", b64url(b'{"alg":"none","typ":"JWT"}') + "." + b64url(b'{"sub":"a"}') + ".")
write("fuzz_token", "payload", json.dumps(claims, ensure_ascii=False))
write("fuzz_token", "payload_uid_string", json.dumps(dict(claims, uid="7")))
write("fuzz_token", "name_cjk", "孔雀大明王")


# ---- JSON bodies ----
bodies = {
    "credentials": '{"name":"alice","password":"secret"}',
    "credentials_cjk": '{"name":"张三","password":"孔雀大明王"}',
    "frame": normal,
    "numbers": '[0,-0,1e308,-1.5e-300,18446744073709551615,-9223372036854775808,0.1,1E2]',
    "escapes": '"\\u0000\\ud83d\\ude00\\/\\b\\f\\n\\r\\t"',
    "deep": "[" * 9 + "]" * 9,
    "dup_keys": '{"name":"a","name":"b"}',
    # Boost.JSON 1.81: 0e316 -> NaN, -1.5e4300 -> -inf, a long mantissa rounds 1 ULP off.
    "nonfinite": '[0e316,-1.5e4300,18737709551612036854775605]',
    "ack": '{"type":"ack","cid":"c1","id":1,"seq":2,"ts":1700000000000,"to":["bob"]}',
}
for k, v in bodies.items():
    write("fuzz_json_body", k, v)


# ---- YAML configs ----
configs = {
    "readme": "port: 9288\ndata: /var/lib/parley\nlimits:\n  messages_per_second: 20\n  max_recipients: 50\n",
    "full": """host: 127.0.0.1
port: 0
data: ./data
web: ./web/dist
threads: 2
token_lifetime: 1728000
token_secret: 0123456789abcdef0123456789abcdef
sync_full: false
password_hash: fast
log_level: debug
log_json: true
allowed_origins: ["http://example.com", "*"]
redis: redis://:pw@127.0.0.1:6379/0
limits:
  max_frame_bytes: 65536
  max_content_bytes: 16384
  max_recipients: 100
  max_body_bytes: 65536
  messages_per_second: 0
  message_burst: 100
  max_outbound_bytes: 4194304
  auth_timeout: 10
  ping_interval: 25
  idle_timeout: 60
  login_failures_per_minute: 10
  max_connections_per_user: 64
  max_connections_per_ip: 0
  hash_concurrency: 2
""",
    "redis_map": "redis:\n  url: redis://127.0.0.1:6379\n",
    "bad_port": "port: 70000\n",
    "bad_limits": "limits: 5\n",
    "small_frame": "limits: {max_frame_bytes: 10}\n",
    "flow": "{port: 1, threads: 0, allowed_origins: [a, b]}\n",
    "anchors": "base: &b {max_recipients: 3}\nlimits: *b\n",
    "original_goim": "name: goim\nport: 9288\nredis:\n  addr: 127.0.0.1:6379\n",
    "empty": "",
    "interactive_tls": "password_hash: interactive\ntls_cert: /etc/parley/cert.pem\ntls_key: /etc/parley/key.pem\nloginlist_push_max_users: 500\n",
}
for k, v in configs.items():
    write("fuzz_config", k, v)

print("corpus written to", CORPUS)
