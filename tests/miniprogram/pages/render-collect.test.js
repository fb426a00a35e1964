/**
 * @jest-environment jsdom
 *
 * 收费登记 rendered, on today's month: a failed load and 重试, a month with
 * nobody owing, someone who does not collect, the rows and controls a screen
 * reader names, 登记 asked first, and the labels of the offline methods in the
 * server's words. (支付中 bills and 取消线上订单: render-fees.test.js.)
 */
const path = require('path')
const { ROOT, installWx, requestsMade, sentBody, signedIn } = require('../helpers/wx')
const { loadPageWith, renderPage, texts, attr, within, textsWithin, sleep } = require('../helpers/render')
const { LIAISON, RESIDENT, bill } = require('../helpers/fixtures')

const { id: COLLECT, modules } = loadPageWith('collect', ['utils/labels.js'])
const { monthInShanghai, formatMonth } = require(path.join(ROOT, 'utils/format.js'))

const MONTH = monthInShanghai()
const UNPAID = `GET /api/v1/fees/unpaid?compound=yangguang&period=${MONTH}`
const BILLS = 'GET /api/v1/fees/unpaid-bills?household_id=21'
const DOWN = { status: 503, body: { code: 'database_unavailable', message: '服务暂时不可用' } }
const ROW = { household_id: 21, label: '1-3-101', owed_fen: 5066, bills: 2 }

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

async function waitFor(condition) {
  for (let i = 0; i < 200 && !condition(); i += 1) await sleep(5)
  expect(condition()).toBeTruthy()
}

async function open(user = LIAISON) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  const page = renderPage(COLLECT)
  await page.instance.onLoad()
  await sleep(0)
  return page
}

async function openForm() {
  server.on(UNPAID, { status: 200, body: { items: [ROW] } })
  server.on(BILLS, {
    status: 200,
    body: { items: [bill({ id: 5, household_id: 21 }), bill({ id: 6, household_id: 21, period: '2026-11' })] },
  })
  const page = await open()
  page.querySelector('.household').dispatchEvent('tap')
  await waitFor(() => page.querySelectorAll('.bill-check').length === 2)
  return page
}

test('a failed load says why, and 重试 shows the 未缴名单', async () => {
  server.on(UNPAID, DOWN, { status: 200, body: { items: [ROW] } })
  const page = await open()
  expect(textsWithin(page, '.error', '.error-card-text')).toEqual(['服务暂时不可用'])
  within(page, '.error', '.retry').dispatchEvent('tap')
  await waitFor(() => page.querySelector('.household'))
  expect(texts(page, '.household-label')).toEqual(['1-3-101'])
})

test('nobody owing this month: says so, and the month can be changed', async () => {
  server.on(UNPAID, { status: 200, body: { items: [] } })
  const page = await open()
  expect(textsWithin(page, '.nothing', '.empty-state-text')).toEqual([`${formatMonth(MONTH)}没有未缴的住户`])
  expect(texts(page, '.month-picker')).toEqual([`${formatMonth(MONTH)} ▾`])
})

test('a resident is told this is for collectors', async () => {
  const page = await open(RESIDENT)
  expect(texts(page, '.denied')).toEqual(['只有单元联络人和业委会成员可以登记收费。'])
  expect(requestsMade(wx)).toEqual(['GET /api/v1/me'])
})

test('each household row says what it owes and what a tap does', async () => {
  server.on(UNPAID, { status: 200, body: { items: [ROW] } })
  const page = await open()
  const row = page.querySelector('.household')
  expect(attr(row, 'aria-role')).toBe('button')
  expect(attr(row, 'aria-label')).toBe('1-3-101，2 笔未缴，共 50.66 元，点一下登记')
})

test('the form names its controls; 添加照片 is a labelled button', async () => {
  const page = await openForm()
  expect(page.querySelectorAll('.bill-check').map((box) => attr(box, 'aria-label'))).toEqual([
    '收了 自治管理费 2026年12月 25.33 元',
    '收了 自治管理费 2026年11月 25.33 元',
  ])
  expect(attr(page.querySelector('.method-picker'), 'aria-label')).toBe('缴费方式：现金，点一下更换')
  const add = page.querySelector('.photo-add')
  expect([attr(add, 'aria-role'), attr(add, 'aria-label')]).toEqual(['button', '添加收据照片'])
  expect(attr(page.querySelector('.note-input'), 'aria-label')).toBe('备注，选填')
  expect(page.querySelector('.privacy-host')).toBeDefined()
})

test('登记 asks first; 再看看 sends nothing, 登记 records and returns to the list', async () => {
  server.on('POST /api/v1/offline-payments', { status: 201, body: { id: 8, status: 'pending' } })
  const page = await openForm()
  wx.showModal.mockImplementationOnce((options) => setTimeout(() => options.success({ confirm: false, cancel: true }), 0))
  page.querySelector('.send').dispatchEvent('tap')
  await waitFor(() => wx.showModal.mock.calls.length === 1)
  await sleep(5)
  expect(requestsMade(wx)).not.toContain('POST /api/v1/offline-payments')
  expect(page.querySelector('.send')).toBeDefined()

  page.querySelector('.send').dispatchEvent('tap')
  await waitFor(() => texts(page, '.notice').length)
  expect(wx.showModal.mock.calls[1][0]).toMatchObject({ title: '登记收款', confirmText: '登记' })
  expect(sentBody(wx, 'POST /api/v1/offline-payments')).toMatchObject({ bill_ids: [5, 6], method: 'cash', amount_fen: 5066 })
  expect(texts(page, '.notice')).toEqual(['1-3-101 已登记，等待另一位业委会成员确认'])
})

test("the method picker speaks the server's words once GET /config has answered", async () => {
  modules['utils/labels.js'].useServerLabels({
    labels: { offline_method: { cash: '现金', transfer: '银行转账', other: '其他方式' } },
    labels_version: 'test',
  })
  server.on(UNPAID, { status: 200, body: { items: [] } })
  const page = await open()
  expect(page.instance.data.methods.map((m) => m.label)).toEqual(['现金', '银行转账', '其他方式'])
})
