// Ed25519 (RFC 8032) in plain JavaScript, for browsers whose WebCrypto lacks Ed25519. Loaded by
// verify.js and cosign.js only then. Written for this project (same licence as the portal);
// SHA-512 comes from WebCrypto, which every such browser has. Verification uses public data only;
// signing (a committee member co-signing on their own device) is not constant time, which is
// why cosign.js prefers WebCrypto's Ed25519 whenever the browser has it.
(function () {
  "use strict";
  var P = (1n << 255n) - 19n;
  var L = (1n << 252n) + 27742317777372353535851937790883648493n;
  function mod(a) { var r = a % P; return r < 0n ? r + P : r; }
  function pow(b, e) { var r = 1n; b = mod(b); while (e > 0n) { if (e & 1n) { r = r * b % P; } b = b * b % P; e >>= 1n; } return r; }
  function inv(a) { return pow(a, P - 2n); }
  var D = mod(-121665n * inv(121666n));
  var D2 = mod(2n * D);
  var SQRT_M1 = pow(2n, (P - 1n) / 4n);

  function le(bytes) { var n = 0n; for (var i = bytes.length - 1; i >= 0; i--) { n = (n << 8n) | BigInt(bytes[i]); } return n; }

  // Extended coordinates (X, Y, Z, T) with x = X/Z, y = Y/Z, xy = T/Z; unified addition for a = -1.
  function add(p, q) {
    var a = mod((p[1] - p[0]) * (q[1] - q[0])), b = mod((p[1] + p[0]) * (q[1] + q[0]));
    var c = mod(p[3] * D2 * q[3]), d = mod(p[2] * 2n * q[2]);
    var e = b - a, f = d - c, g = d + c, h = b + a;
    return [mod(e * f), mod(g * h), mod(f * g), mod(e * h)];
  }
  function mul(point, n) {
    var r = [0n, 1n, 1n, 0n];
    for (var q = point; n > 0n; n >>= 1n) { if (n & 1n) { r = add(r, q); } q = add(q, q); }
    return r;
  }
  function encode(p) {
    var zi = inv(p[2]), x = mod(p[0] * zi), y = mod(p[1] * zi), out = new Uint8Array(32);
    for (var i = 0; i < 32; i++) { out[i] = Number((y >> BigInt(8 * i)) & 255n); }
    if (x & 1n) { out[31] |= 128; }
    return out;
  }
  function decode(bytes) {
    if (bytes.length !== 32) { return null; }
    var sign = bytes[31] >> 7, copy = bytes.slice(); copy[31] &= 127;
    var y = le(copy);
    if (y >= P) { return null; }
    var u = mod(y * y - 1n), v = mod(D * y * y + 1n);
    var x = mod(u * pow(v, 3n) * pow(u * pow(v, 7n), (P - 5n) / 8n));
    var vx2 = mod(v * x * x);
    if (vx2 === mod(-u)) { x = mod(x * SQRT_M1); } else if (vx2 !== u) { return null; }
    if (x === 0n && sign) { return null; }
    if (Number(x & 1n) !== sign) { x = P - x; }
    return [x, y, 1n, mod(x * y)];
  }
  var BASE = decode(new Uint8Array([88].concat(new Array(31).fill(102))));

  function same(a, b) { if (a.length !== b.length) { return false; } for (var i = 0; i < a.length; i++) { if (a[i] !== b[i]) { return false; } } return true; }

  // Resolves to true when `signature` (64 bytes) is `publicKey`'s (32 bytes) over `message`.
  async function verify(publicKey, signature, message) {
    if (publicKey.length !== 32 || signature.length !== 64) { return false; }
    var a = decode(publicKey), r = signature.slice(0, 32), s = le(signature.slice(32));
    if (!a || !decode(r) || s >= L) { return false; }
    var input = new Uint8Array(64 + message.length);
    input.set(r); input.set(publicKey, 32); input.set(message, 64);
    var h = le(new Uint8Array(await crypto.subtle.digest("SHA-512", input))) % L;
    var right = add(decode(r), mul(a, h));
    return same(encode(mul(BASE, s)), encode(right));
  }
  function bytes32(n) { var out = new Uint8Array(32); for (var i = 0; i < 32; i++) { out[i] = Number((n >> BigInt(8 * i)) & 255n); } return out; }
  async function sha512() {
    var n = 0, i, o = 0; for (i = 0; i < arguments.length; i++) { n += arguments[i].length; }
    var all = new Uint8Array(n); for (i = 0; i < arguments.length; i++) { all.set(arguments[i], o); o += arguments[i].length; }
    return new Uint8Array(await crypto.subtle.digest("SHA-512", all));
  }
  async function expand(seed) {  // RFC 8032 §5.1.5: the secret scalar and the nonce prefix
    var h = await sha512(seed), a = h.slice(0, 32);
    a[0] &= 248; a[31] &= 127; a[31] |= 64;
    return { a: le(a), prefix: h.slice(32) };
  }
  // The 32-byte public key of a 32-byte seed.
  async function publicKey(seed) { return encode(mul(BASE, (await expand(seed)).a)); }
  // The 64-byte signature of `message` by the key of `seed` (RFC 8032 §5.1.6).
  async function sign(seed, message) {
    var e = await expand(seed), pub = encode(mul(BASE, e.a));
    var r = le(await sha512(e.prefix, message)) % L, big = encode(mul(BASE, r));
    var k = le(await sha512(big, pub, message)) % L;
    var out = new Uint8Array(64); out.set(big); out.set(bytes32((r + k * e.a) % L), 32);
    return out;
  }
  window.SanziEd25519 = { verify: verify, sign: sign, publicKey: publicKey };
}());
