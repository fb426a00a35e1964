/**
 * @jest-environment jsdom
 *
 * 缴费记录 (the resident): under a payment, each refund on its way back or arrived.
 */
const { installWx, signedIn } = require('../helpers/wx')
const { createPage } = require('../helpers/page')
const { loadPage, renderPage, texts, sleep } = require('../helpers/render')
const { payment } = require('../helpers/fixtures')
const { todayInShanghai } = require('../../../miniprogram/utils/format')

const at = (monthDayTime) => `${todayInShanghai().slice(0, 4)}-${monthDayTime}+08:00`

const PAYMENTS = loadPage('payments')

let server

beforeEach(() => {
  ;({ server } = installWx({ storage: signedIn() }))
})

test('a payment refunded in part shows the refund on its way and the one that arrived, where the money goes and when', async () => {
  const refunded = payment({
    id: 56,
    status: 'paid',
    paid_at: at('12-04T10:00:09'),
    refunded_fen: 1533,
    refunds: [
      { amount_fen: 1000, status: 'processing', sent_at: at('12-05T11:00:00'), settled_at: null, received_by: null },
      {
        amount_fen: 1533,
        status: 'success',
        sent_at: at('12-04T11:00:00'),
        settled_at: at('12-04T11:03:00'),
        received_by: '支付用户零钱',
      },
    ],
  })
  server.on('GET /api/v1/payments', { status: 200, body: { items: [refunded, payment({ id: 55, refunds: [] })] } })
  const page = createPage('payments')
  await page.onShow()
  const shown = page.data.items.map((p) => [p.id, p.amount, p.refunds.map((r) => `${r.text}｜${r.detail}`)])
  expect(shown).toEqual([
    [
      56,
      '50.66',
      [
        '退款 10.00 元 · 正在退回｜12月5日 11:00 已交给微信支付，原路退回您付款时用的微信零钱或银行卡。' +
          '退回微信零钱一般20分钟内到账，退回银行卡一般要1到3个工作日。',
        '退款 15.33 元 · 已退回｜12月4日 11:03 已退到您的微信零钱。',
      ],
    ],
    [55, '50.66', []],
  ])
})

test('an older server without refunds: no refund lines', async () => {
  server.on('GET /api/v1/payments', { status: 200, body: { items: [payment({ status: 'paid' })] } })
  const page = createPage('payments')
  await page.onShow()
  expect(page.data.items[0].refunds).toEqual([])
})

test('on the page: each refund says what, then where and when; one that failed is in red, not in good-news green', async () => {
  const refunds = [
    { amount_fen: 1533, status: 'success', sent_at: at('12-04T11:00:00'), settled_at: at('12-04T11:03:00'), received_by: '支付用户零钱' },
    { amount_fen: 200, status: 'closed', sent_at: at('12-03T11:00:00'), settled_at: at('12-03T12:00:00'), received_by: null },
  ]
  server.on('GET /api/v1/payments', { status: 200, body: { items: [payment({ id: 56, status: 'paid', refunds })] } })
  const page = renderPage(PAYMENTS)
  await page.instance.onLoad()
  await page.instance.onShow()
  await sleep(0)
  expect(texts(page, '.refund-line')).toEqual(['退款 15.33 元 · 已退回', '退款 2.00 元 · 没有退成'])
  expect(texts(page, '.refund-detail')).toEqual([
    '12月4日 11:03 已退到您的微信零钱。',
    '这笔钱没有退出，业委会会联系您另行退还。',
  ])
  const tones = page.querySelectorAll('.refund').map((node) => node.dom.className)
  expect(tones[0]).toMatch(/refund-done/)
  expect(tones[1]).toMatch(/refund-failed/)
})
