/**
 * @jest-environment node
 *
 * Where the people pages are reached from: 我有任命邀请码 on the home page for
 * everyone signed in; 人员与角色 on the home page for the committee and the
 * supervisor, and 小区概况 beside it; 人员与角色 and 任免记录 in the committee's workspace.
 */
const { installWx, signedIn } = require('../helpers/wx')
const { createPage } = require('../helpers/page')
const { RESIDENT, COMMITTEE, SUPERVISOR, LIAISON } = require('../helpers/fixtures')

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  server.on('GET /api/v1/me/notifications?limit=1', { status: 200, body: { items: [], unread: 0, next_before: null } })
})

async function home(user) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  const page = createPage('index')
  page.onLoad()
  await page.onShow()
  return page
}

test.each([
  [RESIDENT, false],
  [LIAISON, false],
  [COMMITTEE, true],
  [SUPERVISOR, true],
])('home: 人员与角色 for the committee and the supervisor only', async (user, shown) => {
  const page = await home(user)
  expect(page.data.canSeePeople).toBe(shown)
})

test('home: 我有任命邀请码 opens 领取任命; 人员与角色 opens its page', async () => {
  const page = await home(RESIDENT)
  page.goRedeem()
  expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/redeem/index' })
  page.goPeople()
  expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/people/index' })
})

test.each([
  [RESIDENT, false],
  [LIAISON, false],
  [COMMITTEE, true],
  [SUPERVISOR, true],
])('home: 小区概况 for the committee and the supervisor only', async (user, shown) => {
  const page = await home(user)
  expect(page.data.canSeeOverview).toBe(shown)
  page.goCompound()
  expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/compound/index' })
})

test.each([
  [COMMITTEE, true],
  [LIAISON, false],
])('workspace: the people entries follow GET /me', async (user, shown) => {
  server.on('GET /api/v1/me', { status: 200, body: user })
  server.on('GET /api/v1/issues?handled=true&status=submitted', { status: 200, body: { items: [], next_cursor: null } })
  const page = createPage('workspace')
  await page.onShow()
  expect(page.data.canSeePeople).toBe(shown)
  page.openPeople()
  expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/people/index' })
  page.openAudit()
  expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/audit/index' })
})
