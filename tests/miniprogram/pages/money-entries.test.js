/**
 * @jest-environment node
 *
 * The ways into 资金与支出: the home page for everyone in a compound, with how
 * many expenses wait for the committee or supervisor; the workspace's 支出 entry.
 */
const { installWx, requestsMade, signedIn } = require('../helpers/wx')
const { createPage } = require('../helpers/page')
const { RESIDENT, COMMITTEE, SUPERVISOR } = require('../helpers/fixtures')

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

const QUEUE = 'GET /api/v1/compounds/yangguang/expenses?waiting_for_me=true'

async function home(user) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  server.on('GET /api/v1/me/notifications?limit=1', { status: 200, body: { items: [], unread: 0 } })
  server.on('GET /api/v1/me/liaisons', { status: 200, body: { items: [] } })
  const page = createPage('index')
  page.onLoad()
  await page.onShow()
  return page
}

test('a resident sees 资金与支出 and asks for no queue', async () => {
  const page = await home(RESIDENT)
  expect(page.data).toMatchObject({ canSeeMoney: true, expensesWaiting: 0 })
  expect(requestsMade(wx)).not.toContain(QUEUE)
  page.goFunds()
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/funds/index' })
  page.goExpenses()
  expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/expenses/index' })
})

test("the supervisor's home counts what waits for them and opens that list", async () => {
  server.on(QUEUE, { status: 200, body: { items: [], next_cursor: null, waiting_for_me: 3 } })
  const page = await home(SUPERVISOR)
  expect(page.data.expensesWaiting).toBe(3)
  page.goExpenses()
  expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/expenses/index?filter=mine' })
})

test('a queue that cannot be read leaves the home page working', async () => {
  server.on(QUEUE, { status: 500, body: { code: 'internal_error', message: '服务器出了点问题' } })
  const page = await home(COMMITTEE)
  expect(page.data).toMatchObject({ error: '', canSeeMoney: true, expensesWaiting: 0 })
})

test('someone in no compound has no money entry', async () => {
  const page = await home({ id: 9, roles: [], households: [] })
  expect(page.data.canSeeMoney).toBe(false)
})

test('the workspace offers 支出 to the committee with its count', async () => {
  server.on('GET /api/v1/me', { status: 200, body: COMMITTEE })
  server.on(QUEUE, { status: 200, body: { items: [], next_cursor: null, waiting_for_me: 2 } })
  const page = createPage('workspace')
  await page.loadMe()
  expect(page.data).toMatchObject({ canSeeExpenses: true, expensesWaiting: 2 })
  page.openExpenses()
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/expenses/index?filter=mine' })
})
