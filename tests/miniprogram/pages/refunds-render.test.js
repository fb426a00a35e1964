/**
 * @jest-environment jsdom
 *
 * 退款记录 as rendered: a status coloured by what it means, and a payment with
 * nothing left to refund said so instead of a form that can only fail.
 */
const { installWx, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, sleep } = require('../helpers/render')

const REFUNDS = loadPage('refunds')
const LIST = 'GET /api/v1/compounds/yangguang/refunds'
const REFUNDABLE = 'GET /api/v1/compounds/yangguang/payments/55/refundable'

const refund = (id, status) => ({
  id,
  payment_id: 55,
  out_trade_no: 'LL20261205100000A1B2',
  household: '1-1-101',
  amount_fen: 2533,
  reason: '重复缴费',
  status,
  anomaly_id: 7,
  pending_change_id: 40,
  proposed_by: '张主任',
  confirmed_by: null,
  created_at: '2026-12-05T10:05:00+08:00',
  confirmed_at: null,
  sent_at: null,
  settled_at: null,
  received_by: null,
  error: null,
})

let server

beforeEach(() => {
  ;({ server } = installWx({ storage: signedIn() }))
})

async function open(query) {
  const page = renderPage(REFUNDS)
  await page.instance.onLoad(Object.assign({ compound: 'yangguang' }, query))
  await sleep(0)
  return page
}

test('a refund waiting or on its way is not shown in good-news green; one back is, one that failed is red', async () => {
  const items = [refund(1, 'proposed'), refund(2, 'processing'), refund(3, 'success'), refund(4, 'closed')]
  server.on(LIST, { status: 200, body: { items } })
  const page = await open({})
  expect(texts(page, '.status')).toEqual(['待第二人确认', '退款中', '已退回', '退款关闭'])
  const classes = page.querySelectorAll('.status').map((node) => node.dom.className)
  expect(classes.map((c) => (c.match(/status-(\w+)/) || [])[1])).toEqual(['waiting', 'waiting', 'done', 'failed'])
})

test('nothing left to refund of the payment: said plainly, with 关闭, and no amount to type', async () => {
  server.on(LIST, { status: 200, body: { items: [refund(1, 'processing')] } })
  server.on(REFUNDABLE, {
    status: 200,
    body: {
      payment_id: 55,
      out_trade_no: 'LL20261205100000A1B2',
      household: '1-1-101',
      paid_fen: 2533,
      refunded_fen: 0,
      in_flight_fen: 2533,
      refundable_fen: 0,
      merchant_version: 'v2',
    },
  })
  const page = await open({ payment: '55' })
  expect(texts(page, '.nothing-left')).toEqual(['这笔缴费已没有可以退的钱。正在退的钱有了结果后，才能再退。'])
  expect(texts(page, '.label')).toEqual([])
  expect(page.querySelectorAll('.submit')).toEqual([])
  page.querySelector('.cancel').dispatchEvent('tap')
  await sleep(0)
  expect(page.querySelectorAll('.refund-form')).toEqual([])
})
