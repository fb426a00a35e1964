// Where the API lives, per mini-program environment (envVersion).
//
// develop: WeChat DevTools against a local server (`flask run`). DevTools must
//   have "不校验合法域名" ticked (project.config.json sets urlCheck: false);
//   on a phone, use the computer's LAN address instead of 127.0.0.1.
// trial / release: a placeholder. Operators set the real HTTPS domain here and
//   add it to the request allow-list (request 合法域名) in the WeChat admin console.
const API_BASES = {
  develop: 'http://127.0.0.1:5000',
  trial: 'https://linli.example.cn',
  release: 'https://linli.example.cn',
}

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

module.exports = { apiBase, envVersion, REQUEST_TIMEOUT_MS, UPLOAD_TIMEOUT_MS }
