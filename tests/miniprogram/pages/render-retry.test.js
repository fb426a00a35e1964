/**
 * @jest-environment jsdom
 *
 * What a failed load shows on 谁能收到提醒, 电费录入, the changes of 待确认事项
 * and the push card of 工作台: the reason and a full-size 重试 (the error
 * pattern of pages/index and pages/bills), whose tap loads again.
 */
const { installWx, requestsMade, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, within, textsWithin, sleep } = require('../helpers/render')
const { COMMITTEE, LIAISON, issueItem, pushStatus, reachability } = require('../helpers/fixtures')

const REACH = loadPage('reach')
const METER = loadPage('meter')
const CONFIRM = loadPage('confirm')
const WORKSPACE = loadPage('workspace')

const DOWN = { status: 503, body: { code: 'database_unavailable', message: '服务暂时不可用' } }

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

async function waitFor(condition) {
  for (let i = 0; i < 100 && !condition(); i += 1) await sleep(10)
}

const count = (route) => requestsMade(wx).filter((r) => r === route).length

test('谁能收到提醒: a failed load says why, and 重试 loads it again', async () => {
  const route = 'GET /api/v1/compounds/yangguang/reachability'
  server.on('GET /api/v1/me', { status: 200, body: COMMITTEE })
  server.on(route, DOWN, { status: 200, body: reachability() })
  const page = renderPage(REACH)
  await page.instance.onLoad()
  await sleep(0)
  expect(textsWithin(page, '.error', '.error-card-text')).toEqual(['服务暂时不可用'])
  expect(textsWithin(page, '.error', '.retry')).toEqual(['重试'])
  within(page, '.error', '.retry').dispatchEvent('tap')
  await waitFor(() => texts(page, '.headline').length)
  expect(texts(page, '.headline')).toEqual(['有 2 个单元收不到新报事的微信推送'])
  expect(page.querySelector('.error')).toBeUndefined()
  expect(count(route)).toBe(2)
})

test('电费录入: a failed start says why, and 重试 opens the form', async () => {
  server.on('GET /api/v1/me', DOWN, { status: 200, body: LIAISON })
  server.on('GET /api/v1/meter-readings?unit_id=7', { status: 200, body: { items: [] } })
  const page = renderPage(METER)
  await page.instance.onLoad()
  await sleep(0)
  expect(textsWithin(page, '.error', '.error-card-text')).toEqual(['服务暂时不可用'])
  expect(page.querySelector('.submit')).toBeUndefined()
  within(page, '.error', '.retry').dispatchEvent('tap')
  await waitFor(() => page.querySelector('.submit'))
  expect(texts(page, '.submit')).toEqual(['提交，等待确认'])
  expect(page.querySelector('.error')).toBeUndefined()
})

test("电费录入: the unit's readings failing to load keep the form, and their 重试 reads them again", async () => {
  const route = 'GET /api/v1/meter-readings?unit_id=7'
  const reading = {
    id: 1,
    unit_id: 7,
    unit_label: '1-3',
    period: '2026-11',
    amount_fen: 450,
    status: 'confirmed',
    flag: null,
    entered_by: '李师傅',
    created_at: '2026-11-30T09:00:00+08:00',
    open_change: null,
  }
  server.on('GET /api/v1/me', { status: 200, body: LIAISON })
  server.on(route, DOWN, { status: 200, body: { items: [reading] } })
  const page = renderPage(METER)
  await page.instance.onLoad()
  await sleep(0)
  expect(texts(page, '.submit')).toEqual(['提交，等待确认'])
  expect(texts(page, '.readings-error .error-text')).toEqual(['服务暂时不可用'])
  page.querySelector('.readings-error .retry').dispatchEvent('tap')
  await waitFor(() => texts(page, '.reading-amount').length)
  expect(texts(page, '.reading-amount')).toEqual(['¥4.50'])
  expect(page.querySelector('.readings-error')).toBeUndefined()
  expect(count(route)).toBe(2)
})

test('待确认事项: the changes failing to load say so with 重试, which reads only them again', async () => {
  const route = 'GET /api/v1/compounds/yangguang/pending-changes?status=pending'
  const payments = 'GET /api/v1/offline-payments?compound=yangguang&status=pending'
  const refund = {
    id: 25,
    kind: 'refund',
    status: 'pending',
    summary: '',
    details: { amount_fen: 500, out_trade_no: 'LL1' },
    effective_period: null,
    note: null,
    proposed_by: '李师傅',
    created_at: '2026-12-05T09:00:00+08:00',
    mine: false,
  }
  server.on('GET /api/v1/me', { status: 200, body: COMMITTEE })
  server.on(payments, { status: 200, body: { items: [] } })
  server.on(route, { status: 500, body: { code: 'internal_error', message: '服务器出了点问题，请稍后再试' } }, {
    status: 200,
    body: { items: [refund] },
  })
  const page = renderPage(CONFIRM)
  page.instance.onLoad()
  await page.instance.onShow()
  await sleep(0)
  expect(texts(page, '.changes-error .error-text')).toEqual(['待确认的变更暂时无法读取：服务器出了点问题，请稍后再试'])
  page.querySelector('.changes-error .retry').dispatchEvent('tap')
  await waitFor(() => texts(page, '.change-kind').length)
  expect(texts(page, '.change-kind')).toHaveLength(1)
  expect(page.querySelector('.changes-error')).toBeUndefined()
  expect(count(route)).toBe(2)
  expect(count(payments)).toBe(1)
})

async function openWorkspace(...subscriptions) {
  server.on('GET /api/v1/issues?handled=true&status=submitted', { status: 200, body: { items: [issueItem()], next_cursor: null } })
  if (subscriptions.length) server.on('GET /api/v1/me/subscriptions', ...subscriptions)
  const page = renderPage(WORKSPACE)
  await page.instance.onShow()
  await sleep(0)
  return page
}

test('工作台: push counts that cannot be read say so in the card\'s place, and 重试 shows them', async () => {
  const page = await openWorkspace(DOWN, { status: 200, body: pushStatus({ new_issue: 2, reminder: 3 }) })
  expect(page.querySelector('.push-line')).toBeUndefined()
  expect(texts(page, '.push-error .error-text')).toEqual(['提醒次数暂时无法读取：服务暂时不可用'])
  page.querySelector('.push-error .retry').dispatchEvent('tap')
  await waitFor(() => texts(page, '.push-line').length)
  expect(texts(page, '.push-line')).toEqual(['还能收到 2 条新报事提醒 / 3 条催办提醒'])
  expect(page.querySelector('.push-error')).toBeUndefined()
})

test('工作台: a server without the push counts (404) shows neither card nor error', async () => {
  const page = await openWorkspace()
  expect(page.querySelector('.push')).toBeUndefined()
  expect(page.querySelector('.push-error')).toBeUndefined()
  expect(page.querySelector('.error-text')).toBeUndefined()
  expect(page.instance.data.items).toHaveLength(1)
})
