/**
 * @jest-environment node
 *
 * Signing in from WeChat DevTools: its wx.login codes are real and the
 * sandbox of `make run` refuses them, so a develop build against a local API
 * sends the sandbox's demo-<openid> code instead; every other build never does.
 */
const path = require('path')
const { ROOT, installWx, requestsMade, sentBody, signedIn } = require('../helpers/wx')

const USER = { id: 7, nickname: '王阿姨', roles: [], households: [] }
const LOGIN = 'POST /api/v1/auth/login'
const loggedIn = (token) => ({ status: 200, body: { token, expires_in: 7200, user: USER } })

function load() {
  let modules
  jest.isolateModules(() => {
    modules = {
      auth: require(path.join(ROOT, 'api/auth.js')),
      config: require(path.join(ROOT, 'config/index.js')),
    }
  })
  return modules
}

test('a develop build against the local API signs in as the demo resident, without wx.login', async () => {
  const { wx, server } = installWx({ envVersion: 'develop' })
  server.on(LOGIN, loggedIn('demo-token'))
  await load().auth.ensureLogin()
  expect(sentBody(wx, LOGIN)).toEqual({ code: 'demo-resident-1-1-101' })
  expect(wx.login).not.toHaveBeenCalled()
})

test("'demoOpenid' in storage picks another demo user", async () => {
  const { wx, server } = installWx({ envVersion: 'develop', storage: { demoOpenid: ' committee-1 ' } })
  server.on(LOGIN, loggedIn('committee-token'))
  await load().auth.ensureLogin()
  expect(sentBody(wx, LOGIN)).toEqual({ code: 'demo-committee-1' })
})

test('choosing another demo user signs in again, though the token is still valid', async () => {
  const { wx, server, store } = installWx({ envVersion: 'develop' })
  server.on(LOGIN, loggedIn('resident-token'), loggedIn('liaison-token'))
  const { auth } = load()
  await auth.ensureLogin()
  await auth.ensureLogin() // the same user: the token is reused
  expect(requestsMade(wx)).toEqual([LOGIN])
  store.set('demoOpenid', 'liaison-1-1')
  await auth.ensureLogin()
  expect(sentBody(wx, LOGIN)).toEqual({ code: 'demo-liaison-1-1' })
  expect(store.get('token')).toBe('liaison-token')
  expect(store.get('demoSignedIn')).toBe('liaison-1-1')
})

test.each(['release', 'trial'])('a %s build always signs in with the wx.login code', async (envVersion) => {
  const { wx, server, store } = installWx({ envVersion, storage: { demoOpenid: 'committee-1' } })
  server.on(LOGIN, loggedIn('real-token'))
  await load().auth.ensureLogin()
  expect(wx.login).toHaveBeenCalledTimes(1)
  expect(sentBody(wx, LOGIN)).toEqual({ code: 'wx-code-1' })
  expect(store.get('demoSignedIn')).toBe('')
})

test('a release build keeps a token got before this version (no demo mark)', async () => {
  const { wx } = installWx({ envVersion: 'release', storage: signedIn({ user: USER }) })
  await expect(load().auth.ensureLogin()).resolves.toEqual(USER)
  expect(wx.request).not.toHaveBeenCalled()
})

test('a token got as a demo user is not used by a release build', async () => {
  const storage = signedIn({ user: USER, demoSignedIn: 'committee-1' })
  const { wx, server } = installWx({ envVersion: 'release', storage })
  server.on(LOGIN, loggedIn('real-token'))
  await load().auth.ensureLogin()
  expect(wx.login).toHaveBeenCalledTimes(1)
})

test('demo sign-in needs an API on this computer or the LAN, over http', () => {
  installWx()
  const { isLocalApi } = load().config
  const local = ['http://127.0.0.1:5000', 'http://localhost:5000', 'http://192.168.1.20:5000', 'http://10.0.0.8:5000']
  for (const base of local.concat('http://172.20.0.2:5000')) expect([base, isLocalApi(base)]).toEqual([base, true])
  const remote = ['https://linli.example.cn', 'http://linli.example.cn', 'https://127.0.0.1:5000']
  for (const base of remote.concat('http://127.0.0.1.example.cn', 'http://172.32.0.1', '')) {
    expect([base, isLocalApi(base)]).toEqual([base, false])
  }
})

test('an unknown build (getAccountInfoSync failing) counts as release: no demo user', () => {
  const { wx } = installWx({ storage: { demoOpenid: 'admin' } })
  wx.getAccountInfoSync.mockImplementation(() => {
    throw new Error('not supported')
  })
  expect(load().config.demoOpenid()).toBe('')
})
