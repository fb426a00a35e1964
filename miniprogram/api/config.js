// What the server tells every client: subscribe template ids and labels.
const { request } = require('./request')
const { useServerLabels } = require('../utils/labels')

// Asked once per app run (app start, or the first page that needs it); a
// failure is forgotten so the next caller asks again.
let cached = null

// Resolves with {subscribe_templates, categories, statuses, labels,
// labels_version}. Its labels are what utils/labels.js shows from then on
// (and, stored, at the next start even offline).
function getConfig() {
  if (!cached) {
    cached = request({ url: '/api/v1/config' }).then((config) => {
      useServerLabels(config)
      return config
    })
    cached.catch(() => {
      cached = null
    })
  }
  return cached
}

module.exports = { getConfig }
