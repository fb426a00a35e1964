// "?a=1&b=x" from an object, in key order, leaving out empty values.
function toQuery(params = {}) {
  const parts = Object.keys(params)
    .filter((key) => params[key] !== undefined && params[key] !== null && params[key] !== '')
    .map((key) => `${key}=${encodeURIComponent(params[key])}`)
  return parts.length ? `?${parts.join('&')}` : ''
}

module.exports = { toQuery }
