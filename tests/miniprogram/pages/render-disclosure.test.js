/**
 * @jest-environment jsdom
 *
 * 月度公示 rendered: the funds in big type with their lines, receipts that open,
 * 核对 and its answer, the supervisor's and the committee's buttons, the list.
 */
const { installWx, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, attr, sleep } = require('../helpers/render')
const { COMMITTEE } = require('../helpers/fixtures')

const DISCLOSURE = loadPage('disclosure')

const body = (fields) =>
  Object.assign(
    {
      id: 3,
      compound: 'yangguang',
      month: '2026-11',
      version: 1,
      title: '2026年11月收支公示',
      status: 'published',
      status_name: '已公示',
      created_at: '2026-12-01T02:00:00+08:00',
      funds: [
        {
          account: 'fund:co_construction',
          name: '共建基金',
          opening_fen: 100000,
          income: [{ key: 'income:2', kind: 'income', title: '广告收入（华联超市）', amount_fen: 60000, received_on: '2026-11-20' }],
          expenses: [
            { key: 'expense:8', kind: 'expense', title: '修水泵', amount_fen: 30000, category_name: '维修', payee: '王师傅', receipts: [41] },
          ],
          income_fen: 60000,
          expense_fen: 30000,
          closing_fen: 130000,
        },
      ],
      collection: {},
      issues: [],
      actions: [],
    },
    fields
  )

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

async function waitFor(condition) {
  for (let i = 0; i < 200 && !condition(); i += 1) await sleep(5)
  expect(condition()).toBeTruthy()
}

async function open(disclosure) {
  server.on('GET /api/v1/disclosures/3', { status: 200, body: disclosure })
  const page = renderPage(DISCLOSURE)
  await page.instance.onLoad({ id: '3' })
  await sleep(0)
  return page
}

test('a fund reads opening, each line and closing; a receipt line opens its photo', async () => {
  server.on('GET /api/v1/uploads/41', { status: 200, file: 'wxfile://tmp/41.jpg' })
  const page = await open(body())
  expect(texts(page, '.fund-name')).toEqual(['共建基金'])
  expect(texts(page, '.balance-value')).toEqual(['¥1000.00', '¥1300.00'])
  expect(texts(page, '.line-title')).toEqual(['广告收入（华联超市）', '修水泵'])
  expect(texts(page, '.line-amount')).toEqual(['+¥600.00', '-¥300.00'])
  expect(texts(page, '.line .muted')).toEqual(['11月20日收到', '维修 · 收款方：王师傅'])
  const receipt = page.querySelector('.receipt-line')
  expect(attr(receipt, 'aria-label')).toBe('修水泵，300.00 元，维修 · 收款方：王师傅，点开看票据')
  receipt.dispatchEvent('tap')
  await waitFor(() => wx.previewImage.mock.calls.length === 1)
  expect(page.querySelector('.sign-off')).toBeUndefined()
  expect(page.querySelector('.publish')).toBeUndefined()
})

test('核对 shows 一致 in its card', async () => {
  server.on('GET /api/v1/disclosures/3/verify', { status: 200, body: { verified: true, summary: '一致', differences: [] } })
  const page = await open(body())
  page.querySelector('.verify').dispatchEvent('tap')
  await waitFor(() => texts(page, '.check-summary').length === 1)
  expect(texts(page, '.check-summary')).toEqual(['一致：公示的每一个数字都与账本相符'])
})

test('the supervisor sees 审核通过 and 有异议 on a draft; the committee 发布 on a signed one', async () => {
  let page = await open(body({ status: 'draft', status_name: '待审核', actions: ['sign_off', 'object'] }))
  expect(texts(page, '.sign-off')).toEqual(['审核通过'])
  expect(texts(page, '.object')).toEqual(['有异议'])
  page = await open(body({ status: 'signed', status_name: '已审核', actions: ['publish', 'correct'] }))
  expect(texts(page, '.publish')).toEqual(['发布'])
  expect(texts(page, '.correct')).toEqual(['生成更正版'])
})

test('the list with 生成公示 for the committee', async () => {
  server.on('GET /api/v1/me', { status: 200, body: COMMITTEE })
  server.on('GET /api/v1/compounds/yangguang/disclosures', {
    status: 200,
    body: { items: [{ id: 3, title: '2026年10月收支公示', status: 'published', status_name: '已公示' }] },
  })
  const page = renderPage(DISCLOSURE)
  await page.instance.onLoad({})
  await sleep(0)
  expect(texts(page, '.item-title')).toEqual(['2026年10月收支公示'])
  expect(page.querySelector('.create-button')).toBeDefined()
})
