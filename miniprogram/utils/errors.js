// Showing ApiError (api/request.js) to users.

const GENERIC_MESSAGE = '操作失败，请稍后再试'

function errorMessage(err) {
  return (err && err.message) || GENERIC_MESSAGE
}

function showError(err) {
  wx.showToast({ title: errorMessage(err), icon: 'none', duration: 3000 })
}

// The server's per-field messages (details.fields, Chinese) as {field: text}.
function fieldErrors(err) {
  const fields = (err && err.details && err.details.fields) || {}
  const errors = {}
  for (const name of Object.keys(fields)) errors[name] = messagesOf(fields[name]).join('；')
  return errors
}

// The messages of one field: a list, or (a list of objects, reported by index
// and inner field) every message nested in it.
function messagesOf(value) {
  if (Array.isArray(value)) return value.flatMap(messagesOf)
  if (value && typeof value === 'object') return Object.values(value).flatMap(messagesOf)
  return [String(value)]
}

module.exports = { errorMessage, showError, fieldErrors }
