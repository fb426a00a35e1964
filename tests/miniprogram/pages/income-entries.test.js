/**
 * @jest-environment node
 *
 * Where 公共收益 is reached from: the home page's 缴费 card and the workspace,
 * for the committee and the finance supervisor only.
 */
const { installWx, signedIn } = require('../helpers/wx')
const { createPage } = require('../helpers/page')
const { RESIDENT, COMMITTEE, SUPERVISOR, LIAISON } = require('../helpers/fixtures')

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  server.on('GET /api/v1/me/notifications?limit=1', { status: 200, body: { items: [], unread: 0, next_before: null } })
})

test.each([
  [RESIDENT, false],
  [LIAISON, false],
  [COMMITTEE, true],
  [SUPERVISOR, true],
])('home: 公共收益 for the committee and the supervisor only', async (user, shown) => {
  server.on('GET /api/v1/me', { status: 200, body: user })
  const page = createPage('index')
  page.onLoad()
  await page.onShow()
  expect(page.data.canSeeIncome).toBe(shown)
  page.goIncome()
  expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/income/index' })
})

test.each([
  [COMMITTEE, true],
  [LIAISON, false],
])('workspace: 公共收益 follows my roles as GET /me tells them', async (user, shown) => {
  server.on('GET /api/v1/me', { status: 200, body: user })
  server.on('GET /api/v1/issues?handled=true&status=submitted', { status: 200, body: { items: [], next_cursor: null } })
  const page = createPage('workspace')
  await page.onShow()
  expect(page.data.canSeeIncome).toBe(shown)
  page.openIncome()
  expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/income/index' })
})
