/**
 * @jest-environment jsdom
 *
 * 收缴情况 rendered in its other states, on today's month: a failed load and
 * 重试, a month nothing was billed for, someone without a finance role, the
 * anomalies failing on their own with their own 重试, and what a screen
 * reader says of the pickers, 处理 and the form.
 */
const path = require('path')
const { ROOT, installWx, requestsMade, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, attr, within, textsWithin, sleep } = require('../helpers/render')
const { COMMITTEE, LIAISON, anomaly } = require('../helpers/fixtures')

const COLLECTION = loadPage('collection')
const { monthInShanghai, formatMonth } = require(path.join(ROOT, 'utils/format.js'))

const MONTH = monthInShanghai()
const SUMMARY = `GET /api/v1/fees/summary?compound=yangguang&period=${MONTH}`
const ANOMALIES = 'GET /api/v1/compounds/yangguang/payment-anomalies?open=true'
const REPORTS = 'GET /api/v1/compounds/yangguang/payment-reports'
const DOWN = { status: 503, body: { code: 'database_unavailable', message: '服务暂时不可用' } }
const DOUBLE = anomaly({ id: 7, kind: 'double_payment', details: { bills: [1], refund_due_fen: 2533 } })

const figures = (billed) => ({
  status: 200,
  body: {
    period: MONTH,
    households_billed: billed,
    households_paid: 0,
    collection_rate: billed ? 0 : null,
    billed_fen: billed * 2533,
    collected_fen: 0,
    by_building: [],
    by_unit: [],
  },
})
const list = (...items) => ({ status: 200, body: { items } })

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  server.on(REPORTS, list())
})

async function waitFor(condition) {
  for (let i = 0; i < 200 && !condition(); i += 1) await sleep(5)
  expect(condition()).toBeTruthy()
}

async function open(user = COMMITTEE) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  const page = renderPage(COLLECTION)
  await page.instance.onLoad()
  await sleep(0)
  return page
}

test('a failed load says why, and 重试 shows the figures', async () => {
  server.on(SUMMARY, DOWN, figures(2))
  server.on(ANOMALIES, list())
  const page = await open()
  expect(textsWithin(page, '.error', '.error-card-text')).toEqual(['服务暂时不可用'])
  expect(page.querySelector('.checks')).toBeUndefined()
  within(page, '.error', '.retry').dispatchEvent('tap')
  await waitFor(() => page.querySelector('.totals'))
  expect(texts(page, '.figure-value')[0]).toBe('2')
})

test('a month nothing was billed for says so, and the open anomalies still show', async () => {
  server.on(SUMMARY, figures(0))
  server.on(ANOMALIES, list(DOUBLE))
  const page = await open()
  expect(textsWithin(page, '.nothing', '.empty-state-text')).toEqual([`${formatMonth(MONTH)}还没有出账`])
  expect(page.querySelector('.totals')).toBeUndefined()
  expect(texts(page, '.anomaly-text')).toHaveLength(1)
})

test('a liaison is told the page is for the committee and the supervisor', async () => {
  const page = await open(LIAISON)
  expect(texts(page, '.denied')).toEqual(['只有业委会和财务监督可以查看收缴情况。'])
  expect(requestsMade(wx)).toEqual(['GET /api/v1/me'])
})

test('anomalies that cannot be read say so in their card, and its 重试 reads them', async () => {
  server.on(SUMMARY, figures(2))
  server.on(ANOMALIES, DOWN, list(DOUBLE))
  const page = await open()
  expect(texts(page, '.anomalies-error .error-text')).toEqual(['缴费异常暂时无法读取'])
  expect(page.querySelector('.totals')).toBeDefined()
  page.querySelector('.anomalies-error .retry').dispatchEvent('tap')
  await waitFor(() => texts(page, '.anomaly-text').length === 1)
  expect(page.querySelector('.anomalies-error')).toBeUndefined()
})

test('pickers, 处理 and the form are named', async () => {
  server.on(SUMMARY, figures(2))
  server.on(ANOMALIES, list(DOUBLE))
  const page = await open()
  expect(attr(page.querySelector('.month-picker'), 'aria-label')).toBe(`换一个月：现在看的是 ${formatMonth(MONTH)}`)
  const resolve = page.querySelector('.resolve')
  expect(attr(resolve, 'aria-label')).toBe('处理：重复缴费：账单已由其他方式缴清，应退 25.33 元')
  resolve.dispatchEvent('tap')
  await waitFor(() => page.querySelector('.resolve-form'))
  expect(attr(page.querySelector('.resolve-note'), 'aria-label')).toBe('处理说明')
  expect(attr(page.querySelector('.resolve-refund'), 'aria-label')).toBe('本次退款金额，单位元，尚需退还 25.33 元')
  expect(texts(page, '.resolve-form .explain')).toEqual(['退款登记后，须由另一位业委会成员在「待确认事项」里确认才记入账本。'])
  expect([texts(page, '.cancel'), texts(page, '.submit-resolve')]).toEqual([['取消'], ['确认处理']])
})
