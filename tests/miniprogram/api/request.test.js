/**
 * @jest-environment node
 */
const path = require('path')
const { ROOT, BASE, RELEASE_BASE, installWx, requestsMade, signedIn } = require('../helpers/wx')

const USER = { id: 7, nickname: null, roles: [], households: [] }
const LOGIN_OK = { status: 200, body: { token: 'fresh-token', expires_in: 7200, user: USER } }
const UNAUTHORIZED = { status: 401, body: { code: 'unauthorized', message: '请先登录' } }

let wx, server, request, upload, download, ApiError

// A release build: the one residents run, which signs in with wx.login's code
// (a develop build against a local API signs in as a demo user: demo-login.test.js).
beforeEach(() => {
  ;({ wx, server } = installWx({ envVersion: 'release', storage: signedIn() }))
  jest.isolateModules(() => {
    ;({ request, upload, download, ApiError } = require(path.join(ROOT, 'api/request.js')))
  })
})

const sentHeaders = (i = 0) => wx.request.mock.calls[i][0].header

test('prefixes the API base and sends the stored token as a bearer header', async () => {
  server.on('GET /api/v1/me', { status: 200, body: USER })
  await request({ url: '/api/v1/me' })
  const options = wx.request.mock.calls[0][0]
  expect(options.url).toBe(`${RELEASE_BASE}/api/v1/me`)
  expect(options.header.Authorization).toBe('Bearer valid-token')
  expect(options.timeout).toBeGreaterThan(0)
})

test('uses the local base in a develop build', async () => {
  wx.getAccountInfoSync.mockReturnValue({ miniProgram: { envVersion: 'develop' } })
  server.on('GET /api/v1/me', { status: 200, body: USER })
  await request({ url: '/api/v1/me' })
  expect(wx.request.mock.calls[0][0].url).toBe(`${BASE}/api/v1/me`)
})

test('sends no Authorization header without a token', async () => {
  wx.getStorageSync.mockReturnValue('')
  server.on('GET /api/v1/health', { status: 200, body: { status: 'ok' } })
  await request({ url: '/api/v1/health' })
  expect(sentHeaders()).not.toHaveProperty('Authorization')
})

test('resolves with the body of a 2xx response', async () => {
  server.on('POST /api/v1/bindings', { status: 201, body: { id: 3, status: 'pending' } })
  await expect(request({ url: '/api/v1/bindings', method: 'POST', data: {} })).resolves.toEqual({
    id: 3,
    status: 'pending',
  })
})

test('checks the HTTP status, not a `code` field in the body', async () => {
  server.on('GET /api/v1/invites/x', { status: 200, body: { code: 'ABCD2345', label: '1-1-101' } })
  await expect(request({ url: '/api/v1/invites/x' })).resolves.toEqual({
    code: 'ABCD2345',
    label: '1-1-101',
  })
})

test('turns the error envelope into an ApiError with the Chinese message', async () => {
  const details = { location: 'json', fields: { room: ['房号应为数字，如 301'] } }
  server.on('POST /api/v1/bindings', {
    status: 400,
    body: { code: 'validation_error', message: '提交的内容有误，请检查后重试', details },
  })
  const err = await request({ url: '/api/v1/bindings', method: 'POST' }).catch((e) => e)
  expect(err).toBeInstanceOf(ApiError)
  expect(err).toMatchObject({ status: 400, code: 'validation_error', details })
  expect(err.message).toBe('提交的内容有误，请检查后重试')
})

test('a non-JSON error page still gives a readable message', async () => {
  server.on('GET /api/v1/me', { status: 502, body: '<html>Bad Gateway</html>' })
  const err = await request({ url: '/api/v1/me' }).catch((e) => e)
  expect(err).toMatchObject({ status: 502, code: 'http_502', message: '服务器出了点问题，请稍后再试' })
})

test('a network failure rejects with network_error', async () => {
  server.on('GET /api/v1/me', { fail: 'timeout' })
  const err = await request({ url: '/api/v1/me' }).catch((e) => e)
  expect(err).toBeInstanceOf(ApiError)
  expect(err).toMatchObject({ status: 0, code: 'network_error', message: '网络不给力，请稍后再试' })
})

test('on 401 it logs in once silently and retries with the new token', async () => {
  server.on('GET /api/v1/me', UNAUTHORIZED, { status: 200, body: USER })
  server.on('POST /api/v1/auth/login', LOGIN_OK)
  await expect(request({ url: '/api/v1/me' })).resolves.toEqual(USER)
  expect(wx.login).toHaveBeenCalledTimes(1)
  expect(requestsMade(wx)).toEqual(['GET /api/v1/me', 'POST /api/v1/auth/login', 'GET /api/v1/me'])
  expect(wx.request.mock.calls[1][0].data).toEqual({ code: 'wx-code-1' })
  expect(sentHeaders(2).Authorization).toBe('Bearer fresh-token')
})

test('two parallel 401s share one login', async () => {
  server.on('GET /api/v1/me', UNAUTHORIZED, { status: 200, body: USER })
  server.on('GET /api/v1/me/bindings', UNAUTHORIZED, { status: 200, body: { items: [] } })
  server.on('POST /api/v1/auth/login', LOGIN_OK)
  const results = await Promise.all([
    request({ url: '/api/v1/me' }),
    request({ url: '/api/v1/me/bindings' }),
  ])
  expect(results).toEqual([USER, { items: [] }])
  expect(wx.login).toHaveBeenCalledTimes(1)
  expect(requestsMade(wx).filter((r) => r === 'POST /api/v1/auth/login')).toHaveLength(1)
})

test('a second 401 after the retry rejects without another login', async () => {
  server.on('GET /api/v1/me', UNAUTHORIZED)
  server.on('POST /api/v1/auth/login', LOGIN_OK)
  const err = await request({ url: '/api/v1/me' }).catch((e) => e)
  expect(err).toMatchObject({ status: 401, code: 'unauthorized', message: '请先登录' })
  expect(wx.login).toHaveBeenCalledTimes(1)
  expect(requestsMade(wx)).toHaveLength(3)
})

test('a refused login is reported, not retried', async () => {
  server.on('GET /api/v1/me', UNAUTHORIZED)
  server.on('POST /api/v1/auth/login', {
    status: 401,
    body: { code: 'wechat_code_invalid', message: '微信登录已失效，请重试' },
  })
  const err = await request({ url: '/api/v1/me' }).catch((e) => e)
  expect(err).toMatchObject({ status: 401, code: 'wechat_code_invalid' })
  expect(wx.login).toHaveBeenCalledTimes(1)
  expect(requestsMade(wx)).toEqual(['GET /api/v1/me', 'POST /api/v1/auth/login'])
})

describe('upload (wx.uploadFile)', () => {
  const PHOTO = { id: 41, content_type: 'image/jpeg', width: 1200, height: 900, size_bytes: 180000 }
  const TOO_LARGE = {
    status: 413,
    body: { code: 'upload_too_large', message: '照片不能超过 5 MB' },
  }
  const send = () => upload({ url: '/api/v1/uploads', filePath: 'wxfile://tmp/a.jpg' })
  const uploadOptions = (i = 0) => wx.uploadFile.mock.calls[i][0]

  test('sends the file as the only field `file` with the bearer header', async () => {
    server.on('POST /api/v1/uploads', { status: 201, body: PHOTO })
    await send()
    const options = uploadOptions()
    expect(options).toMatchObject({
      url: `${RELEASE_BASE}/api/v1/uploads`,
      filePath: 'wxfile://tmp/a.jpg',
      name: 'file',
    })
    expect(options.header.Authorization).toBe('Bearer valid-token')
    expect(options).not.toHaveProperty('formData')
    expect(wx.request).not.toHaveBeenCalled()
  })

  test('parses the string body WeChat hands back', async () => {
    server.on('POST /api/v1/uploads', { status: 201, body: PHOTO })
    await expect(send()).resolves.toEqual(PHOTO)
  })

  test('a 413 envelope becomes an ApiError with the Chinese message', async () => {
    server.on('POST /api/v1/uploads', TOO_LARGE)
    const err = await send().catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err).toMatchObject({ status: 413, code: 'upload_too_large', message: '照片不能超过 5 MB' })
  })

  test('a proxy page instead of JSON still gives a readable message', async () => {
    server.on('POST /api/v1/uploads', { status: 502, body: '<html>Bad Gateway</html>' })
    const err = await send().catch((e) => e)
    expect(err).toMatchObject({ status: 502, code: 'http_502', message: '服务器出了点问题，请稍后再试' })
  })

  test('on 401 it logs in once and uploads again with the new token', async () => {
    server.on('POST /api/v1/uploads', UNAUTHORIZED, { status: 201, body: PHOTO })
    server.on('POST /api/v1/auth/login', LOGIN_OK)
    await expect(send()).resolves.toEqual(PHOTO)
    expect(wx.login).toHaveBeenCalledTimes(1)
    expect(wx.uploadFile).toHaveBeenCalledTimes(2)
    expect(uploadOptions(1).header.Authorization).toBe('Bearer fresh-token')
  })

  test('a second 401 is not retried again', async () => {
    server.on('POST /api/v1/uploads', UNAUTHORIZED)
    server.on('POST /api/v1/auth/login', LOGIN_OK)
    await expect(send()).rejects.toMatchObject({ status: 401 })
    expect(wx.uploadFile).toHaveBeenCalledTimes(2)
    expect(wx.login).toHaveBeenCalledTimes(1)
  })

  test('a network failure rejects with network_error', async () => {
    server.on('POST /api/v1/uploads', { fail: 'timeout' })
    await expect(send()).rejects.toMatchObject({ status: 0, code: 'network_error' })
  })

  test('reports progress', async () => {
    server.on('POST /api/v1/uploads', { status: 201, body: PHOTO })
    const onProgress = jest.fn()
    await upload({ url: '/api/v1/uploads', filePath: 'wxfile://tmp/a.jpg', onProgress })
    expect(onProgress).toHaveBeenCalledWith(100)
  })
})

describe('download (wx.downloadFile)', () => {
  test('fetches with the bearer header and resolves with the temp file', async () => {
    server.on('GET /api/v1/uploads/41', { status: 200, file: 'wxfile://tmp/41.jpg' })
    await expect(download({ url: '/api/v1/uploads/41' })).resolves.toBe('wxfile://tmp/41.jpg')
    expect(wx.downloadFile.mock.calls[0][0].header.Authorization).toBe('Bearer valid-token')
  })

  test('an error status rejects with a Chinese message', async () => {
    server.on('GET /api/v1/uploads/41', { status: 404 })
    const err = await download({ url: '/api/v1/uploads/41' }).catch((e) => e)
    expect(err).toMatchObject({ status: 404, message: '照片加载失败' })
  })

  test('on 401 it logs in once and downloads again', async () => {
    server.on('GET /api/v1/uploads/41', { status: 401 }, { status: 200, file: 'wxfile://tmp/41.jpg' })
    server.on('POST /api/v1/auth/login', LOGIN_OK)
    await expect(download({ url: '/api/v1/uploads/41' })).resolves.toBe('wxfile://tmp/41.jpg')
    expect(wx.downloadFile.mock.calls[1][0].header.Authorization).toBe('Bearer fresh-token')
  })
})
