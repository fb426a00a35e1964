// How often each care tag is visited in a compound (走访频率). (Recording a
// visit and a household's visits: api/care.js.)
const { request } = require('./request')

const cadencesUrl = (code) => `/api/v1/compounds/${encodeURIComponent(code)}/care/cadences`

// Volunteers: {items: [{tag, every_days, default}]}; every_days 0 is off.
function careCadences(code) {
  return request({ url: cadencesUrl(code) })
}

// Committee only: items [{tag, every_days}] (0 = off, else 1..365); the open
// visits are planned again.
function saveCareCadences(code, items) {
  return request({ url: cadencesUrl(code), method: 'PUT', data: { items } })
}

module.exports = { careCadences, saveCareCadences }
