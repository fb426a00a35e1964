/**
 * @jest-environment jsdom
 *
 * The WXML of the fee pages, rendered with the page's own handlers.
 */
const fs = require('fs')
const path = require('path')
const { installWx, requestsMade, sentBody, signedIn, ROOT } = require('../helpers/wx')
const { loadPage, renderPage, texts, sleep } = require('../helpers/render')
const { RESIDENT, COMMITTEE, LIAISON, bill } = require('../helpers/fixtures')

const BILLS = loadPage('bills')
const COLLECTION = loadPage('collection')
const CONFIRM = loadPage('confirm')
const COLLECT = loadPage('collect')

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

// Wait (up to ~1 s) for what a tap started to show: a cold first run is slow.
async function waitFor(condition) {
  for (let i = 0; i < 100 && !condition(); i += 1) await sleep(10)
}

async function openBills(items) {
  server.on('GET /api/v1/me', { status: 200, body: RESIDENT })
  server.on('GET /api/v1/bills?household_id=11', { status: 200, body: { items, unpaid_fen: 0 } })
  const page = renderPage(BILLS)
  await page.instance.onLoad()
  await sleep(0)
  return page
}

test('the bills page shows each bill and the total of the ticked ones; 去缴费 orders them', async () => {
  server.on('POST /api/v1/payments', {
    status: 409,
    body: { code: 'bill_not_payable', message: '账单已缴或正在缴费中' },
  })
  const page = await openBills([
    bill({ id: 1, amount_fen: 2533 }),
    bill({ id: 2, period: '2026-11', amount_fen: 2533 }),
    bill({ id: 4, period: '2026-10', status: 'paid', paid_at: '2026-10-08T09:30:00+08:00' }),
  ])
  expect(texts(page, '.bill-amount')).toEqual(['¥25.33', '¥25.33', '¥25.33'])
  expect(texts(page, '.bill--paid .muted')).toEqual(['2026年10月', '2026-10-08 已缴'])
  expect(page.querySelectorAll('.bill-check')).toHaveLength(2)
  expect(texts(page, '.total')).toEqual(['¥50.66'])

  page.querySelector('.pay').dispatchEvent('tap')
  await waitFor(() => texts(page, '.pay-message').length)
  expect(sentBody(wx, 'POST /api/v1/payments')).toEqual({ bill_ids: [1, 2] })
  expect(texts(page, '.pay-message')).toEqual(['账单已缴或正在缴费中'])
})

test('with nothing to pay, the total is 0.00 and 去缴费 orders nothing', async () => {
  const page = await openBills([bill({ id: 4, status: 'paid', paid_at: '2026-10-08T09:30:00+08:00' })])
  expect(texts(page, '.total')).toEqual(['¥0.00'])
  page.querySelector('.pay').dispatchEvent('tap')
  await sleep(10)
  expect(requestsMade(wx)).not.toContain('POST /api/v1/payments')
})

test('the collection page shows the rate and a row per unit', async () => {
  jest.spyOn(Date, 'now').mockReturnValue(Date.parse('2026-12-05T02:00:00Z'))
  ;({ wx, server } = installWx({ storage: signedIn() })) // a token valid at that "now"
  const tally = {
    households_billed: 2,
    households_paid: 1,
    collection_rate: 0.5,
    billed_fen: 5066,
    collected_fen: 2533,
  }
  server.on('GET /api/v1/me', { status: 200, body: COMMITTEE })
  server.on('GET /api/v1/fees/summary?compound=yangguang&period=2026-12', {
    status: 200,
    body: Object.assign({}, tally, {
      period: '2026-12',
      by_building: [Object.assign({ building: 1 }, tally)],
      by_unit: [Object.assign({ building: 1, unit: 2, label: '1-2' }, tally)],
    }),
  })
  const page = renderPage(COLLECTION)
  await page.instance.onLoad()
  await sleep(0)
  expect(texts(page, '.picker')).toEqual(['2026年12月 ▾'])
  expect(texts(page, '.rate-value')).toEqual(['50.0%'])
  expect(texts(page, '.unit .row-label')).toEqual(['1号楼2单元'])
  expect(texts(page, '.unit .row-rate')).toEqual(['50.0%'])
  jest.restoreAllMocks()
})

test('the confirm page names each household by its label, or by its id without one', async () => {
  const offline = (id, label) => ({
    id,
    household_id: 20 + id,
    household_label: label,
    method: 'cash',
    amount_fen: 5066,
    paid_on: '2026-12-04',
    receipt_photo: null,
    note: null,
    status: 'pending',
    recorded_by_id: 2,
    decided_by_id: null,
    reason: null,
    created_at: '2026-12-05T10:00:00+08:00',
  })
  server.on('GET /api/v1/me', { status: 200, body: COMMITTEE })
  server.on('GET /api/v1/offline-payments?compound=yangguang&status=pending', {
    status: 200,
    body: { items: [offline(1, '1-1-101'), offline(2, null)] },
  })
  const page = renderPage(CONFIRM)
  page.instance.onLoad()
  await page.instance.onShow()
  await sleep(0)
  expect(texts(page, '.household')).toEqual(['1-1-101', '房屋 22'])
})

test('the cash 驳回 and 确认 are full-size buttons, at least 88rpx tall, like the changes\' ones', async () => {
  const cash = { id: 1, household_id: 21, household_label: '1-1-101', method: 'cash', amount_fen: 5066, paid_on: '2026-12-04', receipt_photo: null, note: null, status: 'pending', recorded_by_id: 2, decided_by_id: null, reason: null, created_at: '2026-12-05T10:00:00+08:00' }
  server.on('GET /api/v1/me', { status: 200, body: COMMITTEE })
  server.on('GET /api/v1/offline-payments?compound=yangguang&status=pending', { status: 200, body: { items: [cash] } })
  const page = renderPage(CONFIRM)
  page.instance.onLoad()
  await page.instance.onShow()
  await sleep(0)
  const buttons = page.querySelectorAll('.item .decide')
  expect(buttons.map((b) => b.dom.textContent.trim())).toEqual(['驳回', '确认'])
  // (simulate drops a button's size: the page's WXML is read for it)
  const wxml = fs.readFileSync(path.join(ROOT, 'pages', 'confirm', 'index.wxml'), 'utf8')
  expect(wxml).not.toMatch(/size="mini"/)
  const wxss = fs.readFileSync(path.join(ROOT, 'pages', 'confirm', 'index.wxss'), 'utf8')
  const rule = wxss.match(/\n\.decide \{([^}]*)\}/)[1]
  expect(Number(rule.match(/min-height: (\d+)rpx/)[1])).toBeGreaterThanOrEqual(88)
})

test('the confirm page shows a flagged reading with its warning and buttons, my own change without', async () => {
  const change = (id, kind, details, extra) =>
    Object.assign(
      { id, kind, status: 'pending', summary: '', details, effective_period: null, note: null, proposed_by: '李师傅', created_at: '2026-12-05T09:00:00+08:00', mine: false },
      extra
    )
  const flag = { multiple: 3, average_fen: 450, ratio: 222.2, recent: [{ period: '2026-11', amount_fen: 450 }] }
  server.on('GET /api/v1/me', { status: 200, body: COMMITTEE })
  server.on('GET /api/v1/offline-payments?compound=yangguang&status=pending', { status: 200, body: { items: [] } })
  server.on('GET /api/v1/compounds/yangguang/pending-changes?status=pending', {
    status: 200,
    body: {
      items: [
        change(21, 'meter_reading', { unit: '1-2', period: '2026-12', amount_fen: 100000, households: 11, flag }),
        change(
          23,
          'fee_change',
          { item_name: '自治管理费', from: { rate: '0.3500' }, to: { rate: '0.40' } },
          { effective_period: '2027-01', mine: true, proposed_by: '张主任' }
        ),
      ],
    },
  })
  const page = renderPage(CONFIRM)
  page.instance.onLoad()
  await page.instance.onShow()
  await sleep(0)
  expect(texts(page, '.section-title')).toEqual(['线下缴费', '电费、收费标准与退款'])
  expect(texts(page, '.change-kind')).toEqual(['电费读数', '收费标准调整'])
  expect(texts(page, '.change-line')).toEqual([
    '1-2单元 2026年12月公用电费 ¥1000.00',
    '由 11 户分摊',
    '自治管理费',
    '费率：0.35 元/m²/月 → 0.40 元/m²/月',
  ])
  expect(texts(page, '.change-flag-history')).toEqual(['近期读数：2026年11月 ¥4.50'])
  expect(texts(page, '.change-effective')).toEqual(['自2027年1月账单起生效'])
  expect(texts(page, '.decide')).toEqual(['驳回', '确认']) // the reading's only: the fee change is mine
  expect(texts(page, '.waiting')).toEqual(['须由另一位业委会成员确认'])
})

test('the bills page shows a cancelled electricity bill as nothing to pay', async () => {
  const page = await openBills([
    bill({ id: 5, item: 'stair_electricity', item_name: '楼道公用电费', amount_fen: 150, status: 'cancelled' }),
  ])
  expect(texts(page, '.bill-cancelled')).toEqual(['已作废，不用缴'])
  expect(page.querySelectorAll('.bill-check')).toHaveLength(0)
  expect(texts(page, '.total')).toEqual(['¥0.00'])
})

test('the bills page offers 取消订单 for an open order and cancels it after a confirmation', async () => {
  server.on('POST /api/v1/payments/70/cancel', {
    status: 200,
    body: { id: 70, status: 'closed', cancelled: true, closes_at: null, total_fen: 2533 },
  })
  const page = await openBills([
    bill({ id: 1, amount_fen: 2533 }),
    bill({ id: 2, period: '2026-11', amount_fen: 2533, status: 'pending', payment_id: 70 }),
  ])
  expect(texts(page, '.order-text')).toEqual(['未完成的订单：1 笔账单，¥25.33'])
  expect(texts(page, '.cancel-order')).toEqual(['取消订单'])
  page.querySelector('.cancel-order').dispatchEvent('tap')
  await waitFor(() => texts(page, '.pay-message').length)
  expect(wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '取消这笔订单？' }))
  expect(requestsMade(wx)).toContain('POST /api/v1/payments/70/cancel')
  expect(texts(page, '.pay-message')).toEqual(['订单已取消，账单已恢复为待缴，可以重新选择账单缴费'])
})

test('the collect form shows 支付中 bills unticked, with 取消线上订单 for their order', async () => {
  jest.spyOn(Date, 'now').mockReturnValue(Date.parse('2026-12-05T02:00:00Z'))
  ;({ wx, server } = installWx({ storage: signedIn() }))
  server.on('GET /api/v1/me', { status: 200, body: LIAISON })
  server.on('GET /api/v1/fees/unpaid?compound=yangguang&period=2026-12', {
    status: 200,
    body: { items: [{ household_id: 21, label: '1-3-101', owed_fen: 5066, bills: 2 }] },
  })
  server.on('GET /api/v1/fees/unpaid-bills?household_id=21', {
    status: 200,
    body: {
      items: [
        bill({ id: 5, household_id: 21, period: '2026-11' }),
        bill({ id: 6, household_id: 21, status: 'pending', payment_id: 70 }),
      ],
      unpaid_fen: 2533,
    },
  })
  const page = renderPage(COLLECT)
  await page.instance.onLoad()
  await page.instance.openHousehold({ currentTarget: { dataset: { id: 21 } }, detail: {} })
  await sleep(0)
  expect(texts(page, '.bill-name')).toEqual(['自治管理费 · 2026年11月', '自治管理费 · 2026年12月'])
  const boxes = page.querySelectorAll('.bill').map((node) => node.dom.querySelectorAll('wx-checkbox').length)
  expect(boxes).toEqual([1, 0]) // only the unpaid bill can be ticked
  expect(texts(page, '.bill-pending')).toEqual(['支付中'])
  expect(texts(page, '.cancel-order')).toEqual(['取消线上订单，改收现金'])
  jest.restoreAllMocks()
})
