// The transport: the only module that calls wx.request, wx.uploadFile and
// wx.downloadFile. One round trip each, no re-login: api/request.js wraps these
// with the re-login on a 401, and api/auth.js signs in with send() directly
// (a refused sign-in must not trigger another one). Keeping the transport here
// is what lets request.js require auth.js without a require cycle.
const { apiBase, REQUEST_TIMEOUT_MS, UPLOAD_TIMEOUT_MS } = require('../config/index')

const NETWORK_MESSAGE = '网络不给力，请稍后再试'
const FALLBACK_MESSAGE = '服务器出了点问题，请稍后再试'
const DOWNLOAD_MESSAGE = '照片加载失败'

// A failed API call: `message` is Chinese and meant for the user. Callers read
// its fields (status, code, details) rather than using instanceof, which ES5
// transpiling of `extends Error` does not preserve. `report`: the roster check
// a 400 roster_invalid carries beside code and message (its problems to show).
class ApiError extends Error {
  constructor({ status, code, message, details, report }) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.details = details
    if (report) this.report = report
  }
}

function fullUrl(url) {
  return /^https?:\/\//.test(url) ? url : apiBase() + url
}

function authHeader() {
  const token = wx.getStorageSync('token')
  return token ? { Authorization: `Bearer ${token}` } : {}
}

const networkError = () => new ApiError({ status: 0, code: 'network_error', message: NETWORK_MESSAGE })
const isOk = (statusCode) => statusCode >= 200 && statusCode < 300

// wx.uploadFile hands back the body as a string; wx.request parses JSON itself.
function parseBody(data) {
  if (typeof data !== 'string') return data
  try {
    return JSON.parse(data)
  } catch (err) {
    return data
  }
}

// Build an ApiError from the server's envelope {code, message, details?};
// a body that is not the envelope (a proxy's HTML page) gets a generic message.
function errorFromResponse(res) {
  const body = res.data && typeof res.data === 'object' ? res.data : {}
  return new ApiError({
    status: res.statusCode,
    code: body.code || `http_${res.statusCode}`,
    message: body.message || FALLBACK_MESSAGE,
    details: body.details,
    report: body.report && typeof body.report === 'object' ? body.report : undefined,
  })
}

// One HTTP round trip, no re-login. Resolves with the body of a 2xx response.
function send({ url, method = 'GET', data }) {
  return new Promise((resolve, reject) => {
    wx.request({
      url: fullUrl(url),
      method,
      data,
      header: Object.assign({ 'Content-Type': 'application/json' }, authHeader()),
      timeout: REQUEST_TIMEOUT_MS,
      success(res) {
        isOk(res.statusCode) ? resolve(res.data) : reject(errorFromResponse(res))
      },
      fail() {
        reject(networkError())
      },
    })
  })
}

// One multipart upload of a local file as the field `file` (the server refuses
// any other field). Resolves with the parsed JSON body of a 2xx response.
function sendFile({ url, filePath, onProgress }) {
  return new Promise((resolve, reject) => {
    const task = wx.uploadFile({
      url: fullUrl(url),
      filePath,
      name: 'file',
      header: authHeader(),
      timeout: UPLOAD_TIMEOUT_MS,
      success(res) {
        const parsed = { statusCode: res.statusCode, data: parseBody(res.data) }
        if (!isOk(res.statusCode)) reject(errorFromResponse(parsed))
        else if (parsed.data && typeof parsed.data === 'object') resolve(parsed.data)
        else reject(errorFromResponse({ statusCode: res.statusCode, data: null }))
      },
      fail() {
        reject(networkError())
      },
    })
    if (onProgress && task && task.onProgressUpdate) {
      task.onProgressUpdate((res) => onProgress(res.progress))
    }
  })
}

// One authenticated download to a temporary file; resolves with its path. An
// error body lands in the file too, so failures carry a generic message: the
// caller's `failMessage` (what was being fetched), else that a photo failed.
function fetchFile({ url, failMessage = DOWNLOAD_MESSAGE }) {
  return new Promise((resolve, reject) => {
    wx.downloadFile({
      url: fullUrl(url),
      header: authHeader(),
      timeout: UPLOAD_TIMEOUT_MS,
      success(res) {
        if (isOk(res.statusCode)) resolve(res.tempFilePath)
        else {
          const code = `http_${res.statusCode}`
          reject(new ApiError({ status: res.statusCode, code, message: failMessage }))
        }
      },
      fail() {
        reject(networkError())
      },
    })
  })
}

module.exports = { send, sendFile, fetchFile, ApiError }
