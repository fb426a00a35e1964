/**
 * @jest-environment jsdom
 *
 * 工作台's census entries: volunteers get 我的住户 and 走访任务 (how many care
 * visits are due for me and how many are overdue, from GET /me/tasks), a
 * resident gets neither; the 上门回访 tab keeps the return visits only.
 */
const { installWx, requestsMade, signedIn } = require('../helpers/wx')
const { createPage, tap } = require('../helpers/page')
const { loadPage, renderPage, texts, sleep } = require('../helpers/render')
const { LIAISON, RESIDENT } = require('../helpers/fixtures')
const { todayInShanghai } = require('../../../miniprogram/utils/format')

const WORKSPACE = loadPage('workspace')

const TASKS = {
  items: [
    { kind: 'care_visit', visit_id: 51, household_id: 32, label: '1-3-102', tag: 'elderly_alone', due_on: todayInShanghai(), overdue: true, escalation_level: 0 },
    { kind: 'care_visit', visit_id: 52, household_id: 33, label: '1-3-201', tag: 'needs_visits', due_on: todayInShanghai(), overdue: false, escalation_level: 0 },
    { kind: 'return_visit', visit_id: 9, issue_id: 3, title: '楼道灯不亮', category: 'repair', due_at: `${todayInShanghai()}T10:00:00+08:00` },
  ],
}

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  server.on('GET /api/v1/issues?handled=true&status=submitted', { status: 200, body: { items: [], next_cursor: null } })
  server.on('GET /api/v1/me', { status: 200, body: LIAISON })
  server.on('GET /api/v1/me/tasks', { status: 200, body: TASKS })
})

test('a liaison sees how many care visits are due and overdue, and the two entries open 我的住户', async () => {
  const page = createPage('workspace')
  await page.onShow()
  expect(page.data).toMatchObject({ canSeeHouseholds: true, careLine: '2 户待走访，1 户已超时', careOverdue: 1 })
  page.openHouseholds()
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/households/index' })
  page.openCareTasks()
  expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/households/index?tab=tasks' })
})

test('no care visit due says so; a failed count keeps the entries', async () => {
  server.on('GET /api/v1/me/tasks', { status: 200, body: { items: [] } }, { status: 503, body: { code: 'x', message: '服务暂时不可用' } })
  const page = createPage('workspace')
  await page.onShow()
  expect(page.data.careLine).toBe('现在没有要走访的住户')
  await page.onShow()
  expect(page.data).toMatchObject({ canSeeHouseholds: true, careLine: '关爱走访：独居老人等住户的定期走访', careOverdue: 0 })
})

test('a resident gets neither entry and no tasks are asked for', async () => {
  server.on('GET /api/v1/me', { status: 200, body: RESIDENT })
  const page = createPage('workspace')
  await page.onShow()
  expect(page.data.canSeeHouseholds).toBe(false)
  expect(requestsMade(wx)).not.toContain('GET /api/v1/me/tasks')
})

test('上门回访 lists the return visits only', async () => {
  const page = createPage('workspace')
  await page.onShow()
  await page.switchTab(tap({ tab: 'tasks' }))
  expect(page.data.tasks.map((t) => t.title)).toEqual(['楼道灯不亮'])
})

test('rendered: 我的住户 and 走访任务 with the count, after 代居民报事', async () => {
  server.on('GET /api/v1/me/subscriptions', { status: 404, body: { code: 'not_found', message: '找不到该内容' } })
  const page = renderPage(WORKSPACE)
  page.instance.onLoad()
  await page.instance.onShow()
  await sleep(0)
  expect(texts(page, '.census-entries .entry-title')).toEqual(['我的住户', '走访任务'])
  expect(texts(page, '.care-overdue')).toEqual(['2 户待走访，1 户已超时'])
  expect(texts(page, '.entry-title')[0]).toBe('代居民报事')
})
