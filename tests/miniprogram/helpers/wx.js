// A stubbed `wx` global and a fake API server behind wx.request, wx.uploadFile
// (routed as POST) and wx.downloadFile (routed as GET).
//
//   const { wx, server } = installWx()
//   server.on('GET /api/v1/me', { status: 200, body: {...} })
//   server.on('POST /api/v1/bindings', { status: 400, body: {...} }, { status: 201, ... })
//
// Responses are used in order, the last one repeats. A response may be a
// function of the request options, or { fail: 'timeout' } for a network error.
// Callbacks run asynchronously, as in WeChat. wx.uploadFile answers with the
// body as a JSON string, as WeChat does; wx.downloadFile with a temp file path
// (the response's `file`, or one made up from the URL).
const path = require('path')

const ROOT = path.join(__dirname, '../../../miniprogram')
const BASE = 'http://127.0.0.1:5000'
// Where trial and release builds send requests (miniprogram/config/index.js):
// the fake server answers there too, for tests of a build users run.
const RELEASE_BASE = 'https://linli.example.cn'

const pathOf = (url) => url.replace(BASE, '').replace(RELEASE_BASE, '')

const later = (fn) => setTimeout(fn, 0)

function createServer() {
  const routes = {}
  return {
    on(route, ...responses) {
      routes[route] = responses
    },
    respond(options) {
      const route = `${options.method || 'GET'} ${pathOf(options.url)}`
      const queue = routes[route]
      if (!queue) return { status: 404, body: { code: 'not_found', message: '找不到该内容' } }
      const next = queue.length > 1 ? queue.shift() : queue[0]
      return typeof next === 'function' ? next(options) : next
    },
  }
}

function fakeRequest(server) {
  return jest.fn((options) => {
    const res = server.respond(options)
    later(() => {
      if (res.fail) options.fail({ errMsg: `request:fail ${res.fail}` })
      else options.success({ statusCode: res.status || 200, data: res.body, header: {} })
    })
  })
}

// wx.uploadFile: the body comes back as a string; the task reports progress.
function fakeUpload(server) {
  return jest.fn((options) => {
    const res = server.respond(Object.assign({ method: 'POST' }, options))
    const listeners = []
    later(() => {
      listeners.forEach((listener) => listener({ progress: 100 }))
      if (res.fail) return options.fail({ errMsg: `uploadFile:fail ${res.fail}` })
      const data = typeof res.body === 'string' ? res.body : JSON.stringify(res.body)
      options.success({ statusCode: res.status || 200, data })
    })
    return { onProgressUpdate: (listener) => listeners.push(listener), abort: jest.fn() }
  })
}

function fakeDownload(server) {
  return jest.fn((options) => {
    const res = server.respond(Object.assign({ method: 'GET' }, options))
    later(() => {
      if (res.fail) return options.fail({ errMsg: `downloadFile:fail ${res.fail}` })
      const file = res.file || `wxfile://tmp${pathOf(options.url)}`
      options.success({ statusCode: res.status || 200, tempFilePath: file })
    })
  })
}

// Accepts every template asked for, unless a test says otherwise.
function acceptAll(options) {
  const answer = { errMsg: 'requestSubscribeMessage:ok' }
  options.tmplIds.forEach((id) => (answer[id] = 'accept'))
  later(() => options.success(answer))
}

function installWx({ envVersion = 'develop', storage = {}, fontScale = 1 } = {}) {
  const store = new Map(Object.entries(storage))
  const server = createServer()
  let codes = 0
  const wx = {
    getAccountInfoSync: jest.fn(() => ({ miniProgram: { envVersion } })),
    getStorageSync: jest.fn((key) => (store.has(key) ? store.get(key) : '')),
    setStorageSync: jest.fn((key, value) => store.set(key, value)),
    removeStorageSync: jest.fn((key) => store.delete(key)),
    login: jest.fn(({ success }) => later(() => success({ code: `wx-code-${++codes}` }))),
    request: fakeRequest(server),
    uploadFile: fakeUpload(server),
    downloadFile: fakeDownload(server),
    requestSubscribeMessage: jest.fn(acceptAll),
    // The user pays unless a test says otherwise (see payAnswers in bills.test.js).
    requestPayment: jest.fn((options) => later(() => options.success({ errMsg: 'requestPayment:ok' }))),
    // The user cancels unless a test picks photos (see pickPhotos).
    chooseMedia: jest.fn((options) => later(() => options.fail({ errMsg: 'chooseMedia:fail cancel' }))),
    previewImage: jest.fn(),
    showToast: jest.fn(),
    showModal: jest.fn((options) => later(() => options.success && options.success({ confirm: true, cancel: false }))),
    navigateTo: jest.fn(),
    switchTab: jest.fn(),
    redirectTo: jest.fn(),
    navigateBack: jest.fn(),
    reLaunch: jest.fn(),
    stopPullDownRefresh: jest.fn(),
    // WeChat's standard font size on a 375pt-wide phone, unless a test says
    // otherwise (fontScale: 1.4 is care mode, 关怀模式).
    getAppBaseInfo: jest.fn(() => ({ fontSizeScaleFactor: fontScale, fontSizeSetting: 17 * fontScale })),
    getWindowInfo: jest.fn(() => ({ windowWidth: 375, windowHeight: 667 })),
    // The settings page opens; whether anything was switched on is not told.
    openSetting: jest.fn((options) => later(() => options.success && options.success({ authSetting: {} }))),
    openPrivacyContract: jest.fn((options = {}) => later(() => options.success && options.success())),
    onNeedPrivacyAuthorization: jest.fn(),
  }
  global.wx = wx
  return { wx, server, store }
}

// Requests the fake server received, as "METHOD /path".
function requestsMade(wx) {
  return wx.request.mock.calls.map(([o]) => `${o.method || 'GET'} ${pathOf(o.url)}`)
}

// Let the next wx.chooseMedia pick these files ([{tempFilePath, size}]).
function pickPhotos(wx, files) {
  wx.chooseMedia.mockImplementationOnce((options) => later(() => options.success({ tempFiles: files })))
}

// Let the next wx.chooseMedia fail as WeChat does when the camera/album was
// refused ('auth deny') or privacy consent was not given ({errno: 104}).
function refusePhotos(wx, res = { errMsg: 'chooseMedia:fail auth deny' }) {
  wx.chooseMedia.mockImplementationOnce((options) => later(() => options.fail(res)))
}

// Let the next wx.showModal be answered with cancel (the user taps 取消).
function cancelModal(wx) {
  wx.showModal.mockImplementationOnce((options) => later(() => options.success({ confirm: false, cancel: true })))
}

// The body a request sent, parsed: the last call to "METHOD /path".
function sentBody(wx, route) {
  const calls = wx.request.mock.calls.filter(
    ([o]) => `${o.method || 'GET'} ${pathOf(o.url)}` === route
  )
  return calls.length ? calls[calls.length - 1][0].data : undefined
}

// A stored token that is valid for another hour, so ensureLogin() does nothing.
function signedIn(extra = {}) {
  return Object.assign({ token: 'valid-token', tokenExpiresAt: Date.now() + 3600 * 1000 }, extra)
}

module.exports = { ROOT, BASE, RELEASE_BASE, installWx, requestsMade, sentBody, pickPhotos, refusePhotos, cancelModal, signedIn }
