// Care visits (关爱走访): how often each care tag is visited in a compound.
const { request } = require('./request')

const cadencesUrl = (code) => `/api/v1/compounds/${encodeURIComponent(code)}/care/cadences`

// Volunteers: {items: [{tag, every_days, default}]}; every_days 0 is off.
function careCadences(code) {
  return request({ url: cadencesUrl(code) })
}

// Committee only: items [{tag, every_days}] (0 = off, else 1..365); the open
// visits are planned again. Resolves with the new list.
function saveCareCadences(code, items) {
  return request({ url: cadencesUrl(code), method: 'PUT', data: { items } })
}

module.exports = { careCadences, saveCareCadences }
