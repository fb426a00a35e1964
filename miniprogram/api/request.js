// What every endpoint function in api/ calls: request(), upload() and
// download(), each one round trip of api/http.js with one silent re-login
// (api/auth.js) and retry when the server refused the token. The dependency
// runs one way, request → auth → http, so there is no require cycle.
const { send, sendFile, fetchFile, ApiError } = require('./http')
const { login } = require('./auth')

function withRelogin(trip) {
  return (options) =>
    trip(options).catch((err) => {
      if (err.status !== 401) throw err
      return login().then(() => trip(options))
    })
}

const request = withRelogin(send)
const upload = withRelogin(sendFile)
const download = withRelogin(fetchFile)

module.exports = { request, upload, download, send, ApiError }
