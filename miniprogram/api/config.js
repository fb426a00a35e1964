// What the server tells every client: subscribe template ids and labels.
const { request } = require('./request')

// Asked once per app run; a failure is forgotten so the next page asks again.
let cached = null

// Resolves with {subscribe_templates, categories, statuses}.
function getConfig() {
  if (!cached) {
    cached = request({ url: '/api/v1/config' })
    cached.catch(() => {
      cached = null
    })
  }
  return cached
}

module.exports = { getConfig }
