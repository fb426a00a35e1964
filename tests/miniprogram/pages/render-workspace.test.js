/**
 * @jest-environment jsdom
 *
 * 工作台 rendered: the tabs with a line saying what each holds, a failed load
 * and 重试, an empty tab, a next page that fails with its own 重试, and what a
 * screen reader says of the tabs, the rows and 代居民报事. (The push card:
 * render-push.test.js and render-retry.test.js.)
 */
const { installWx, requestsMade, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, attr, within, textsWithin, sleep } = require('../helpers/render')
const { issueItem, COMMITTEE, LIAISON } = require('../helpers/fixtures')

const WORKSPACE = loadPage('workspace')
const SUBMITTED = 'GET /api/v1/issues?handled=true&status=submitted'
const DOWN = { status: 503, body: { code: 'database_unavailable', message: '服务暂时不可用' } }
const page1 = (items, next = null) => ({ status: 200, body: { items, next_cursor: next } })

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  server.on('GET /api/v1/me/subscriptions', { status: 404, body: { code: 'not_found', message: '找不到该内容' } })
})

async function waitFor(condition) {
  for (let i = 0; i < 200 && !condition(); i += 1) await sleep(5)
  expect(condition()).toBeTruthy()
}

async function open() {
  const page = renderPage(WORKSPACE)
  page.instance.onLoad()
  await page.instance.onShow()
  await sleep(0)
  return page
}

test('a failed load says why, and 重试 lists the issues', async () => {
  server.on(SUBMITTED, DOWN, page1([issueItem()]))
  const page = await open()
  expect(textsWithin(page, '.error', '.error-card-text')).toEqual(['服务暂时不可用'])
  within(page, '.error', '.retry').dispatchEvent('tap')
  await waitFor(() => page.querySelector('.issue-row'))
  expect(page.querySelector('.error')).toBeUndefined()
})

test('each tab says in a line what it holds; an empty tab says there is nothing', async () => {
  server.on(SUBMITTED, page1([issueItem()]))
  server.on('GET /api/v1/issues?handled=true&status=referred', page1([]))
  const page = await open()
  expect(texts(page, '.tab-hint')).toEqual(['居民刚报来的事，请尽快看一看，能办就点“受理”。'])
  page.querySelectorAll('.tab')[3].dispatchEvent('tap')
  await waitFor(() => page.querySelector('.nothing'))
  expect(texts(page, '.tab-hint')).toEqual(['已交给社区、物业或其他单位去办的事，请按约定日子问一问进展。'])
  expect(textsWithin(page, '.nothing', '.empty-state-text')).toEqual(['没有已转办的事项'])
})

test('a next page that fails keeps the list and offers 重试', async () => {
  server.on(SUBMITTED, page1([issueItem({ id: 1 })], 'MQ'))
  server.on(`${SUBMITTED}&cursor=MQ`, { fail: 'timeout' }, page1([issueItem({ id: 2 })]))
  const page = await open()
  await page.instance.onReachBottom()
  await sleep(0)
  expect(texts(page, '.more-error .error-text')).toEqual(['网络不给力，请稍后再试'])
  page.querySelector('.more').dispatchEvent('tap')
  await waitFor(() => page.querySelectorAll('.issue-row').length === 2)
  expect(requestsMade(wx).filter((r) => r.includes('cursor=MQ'))).toHaveLength(2)
})

test('tabs, rows and 代居民报事 are named for a screen reader', async () => {
  server.on(SUBMITTED, page1([issueItem({ overdue: true })]))
  const page = await open()
  const tabs = page.querySelectorAll('.tab')
  expect(tabs.map((tab) => attr(tab, 'aria-role'))).toEqual(['tab', 'tab', 'tab', 'tab', 'tab'])
  expect(attr(tabs[0], 'aria-selected')).toBe(true)
  expect(attr(tabs[1], 'aria-selected')).toBe(false)
  expect(attr(page.querySelector('.issue-row'), 'aria-label')).toBe('打开：楼道灯不亮（待受理，已超时）')
  const entry = page.querySelector('.entry')
  expect([attr(entry, 'aria-role'), attr(entry, 'aria-label')]).toEqual(['button', '代居民报事：为没有微信的邻居登记'])
})

test.each([
  ['the committee', COMMITTEE, ['.phone-card', '.handover-entry', '.compound-entry', '.people-entry', '.audit-entry'], []],
  ['a liaison', LIAISON, ['.phone-card', '.handover-entry'], ['.compound-entry', '.people-entry', '.audit-entry']],
])('%s sees the entries its roles allow, read from GET /me', async (who, user, shown, hidden) => {
  server.on(SUBMITTED, page1([]))
  server.on('GET /api/v1/me', { status: 200, body: user })
  const page = await open()
  await waitFor(() => page.querySelector('.phone-card'))
  for (const selector of shown) expect(page.querySelector(selector)).toBeDefined()
  for (const selector of hidden) expect(page.querySelector(selector)).toBeUndefined()
})
