// Where the API lives, per mini-program environment (envVersion).
//
// develop: WeChat DevTools against `make run` on this computer. DevTools must
//   have "不校验合法域名" ticked (project.config.json sets urlCheck: false);
//   it signs in as a demo user of the sandbox (DEMO_OPENID below). Change the
//   port if you started it with another PORT. README: "Trying the
//   mini-program in WeChat DevTools".
// trial / release: a placeholder. Operators set the real HTTPS domain here and
//   list it as request, uploadFile and downloadFile 合法域名 in the WeChat admin console.
const API_BASES = {
  develop: 'http://127.0.0.1:5000',
  trial: 'https://linli.example.cn',
  release: 'https://linli.example.cn',
}

// Development only. The WeChat sandbox of `make run` refuses the codes
// wx.login gives in DevTools; it signs `demo-<openid>` in as <openid> (README
// "Demo users"). So a develop build talking to an API on this computer or the
// LAN sends that code instead of calling wx.login: as DEMO_OPENID, or as the
// openid stored under 'demoOpenid' (DevTools → 调试器 → Storage) to try another
// role. Trial and release builds always use wx.login.
const DEMO_OPENID = 'resident-1-1-101'

// http to this computer or a private network address (never a real domain).
const LOCAL_API = /^http:\/\/(localhost|127(\.\d{1,3}){3}|10(\.\d{1,3}){3}|192\.168(\.\d{1,3}){2}|172\.(1[6-9]|2\d|3[01])(\.\d{1,3}){2})(:\d+)?$/

const REQUEST_TIMEOUT_MS = 10000
// Photos go up over slow mobile links: give them longer.
const UPLOAD_TIMEOUT_MS = 60000

function envVersion() {
  try {
    return wx.getAccountInfoSync().miniProgram.envVersion
  } catch (err) {
    return 'release' // unknown: never point real users at a developer machine
  }
}

function apiBase() {
  return API_BASES[envVersion()] || API_BASES.release
}

const isLocalApi = (base) => LOCAL_API.test(base || '')

// The demo user to sign in as instead of wx.login, or '' (always '' outside a
// develop build against a local API).
function demoOpenid() {
  if (envVersion() !== 'develop' || !isLocalApi(apiBase())) return ''
  let chosen = ''
  try {
    chosen = wx.getStorageSync('demoOpenid')
  } catch (err) {
    chosen = ''
  }
  return (typeof chosen === 'string' && chosen.trim()) || DEMO_OPENID
}

module.exports = { apiBase, envVersion, isLocalApi, demoOpenid, DEMO_OPENID, REQUEST_TIMEOUT_MS, UPLOAD_TIMEOUT_MS }
