/**
 * @jest-environment jsdom
 *
 * 公共收益 rendered: a failed load and 重试; buttons only for the committee and
 * never on one's own record; contracts and assets in plain words; the forms.
 */
const { installWx, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, attr, within, textsWithin, sleep } = require('../helpers/render')
const { COMMITTEE, SUPERVISOR } = require('../helpers/fixtures')

const INCOME_PAGE = loadPage('income')
const DOWN = { status: 503, body: { code: 'database_unavailable', message: '服务暂时不可用' } }

const record = (id, mine) => ({
  id,
  kind: 'rent',
  amount_fen: 80000,
  received_on: '2026-12-04',
  method: 'transfer',
  payer: '便民超市',
  instalment: null,
  status: 'pending',
  recorded_by: '李委员',
  mine,
  receipt: [],
  created_at: '2026-12-05T10:00:00+08:00',
})

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  server.on('GET /api/v1/compounds/yangguang/assets', {
    status: 200,
    body: { items: [{ id: 3, kind: 'parking', name: '东门车位 2 号', location: '东门内', active: true, photos: [] }] },
  })
  server.on('GET /api/v1/compounds/yangguang/contracts', {
    status: 200,
    body: {
      items: [
        {
          id: 4,
          counterparty: '顺达广告公司',
          kind: 'advertising',
          price_fen: 50000,
          cycle: 'quarterly',
          start_on: '2026-10-01',
          end_on: '2027-10-01',
          ended: false,
          next_due: { id: 6, due_on: '2027-01-01', amount_fen: 50000 },
          overdue: [],
          overdue_fen: 0,
          paid_count: 1,
          paid_fen: 50000,
          waiting_count: 0,
          instalment_count: 4,
        },
      ],
    },
  })
})

async function open(user = COMMITTEE) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  const page = renderPage(INCOME_PAGE)
  page.instance.onLoad()
  await page.instance.onShow()
  await sleep(0)
  return page
}

test('a failed load says why, and 重试 shows the page', async () => {
  server.on('GET /api/v1/compounds/yangguang/income', DOWN, { status: 200, body: { items: [] } })
  const page = await open()
  expect(textsWithin(page, '.error', '.error-card-text')).toEqual(['服务暂时不可用'])
  within(page, '.error', '.retry').dispatchEvent('tap')
  for (let i = 0; i < 100 && !texts(page, '.pending-empty').length; i += 1) await sleep(5)
  expect(texts(page, '.pending-empty')).toEqual(['没有等待确认的收入'])
})

test('the committee decides others\' records, not its own; contracts and assets read plainly', async () => {
  server.on('GET /api/v1/compounds/yangguang/income', { status: 200, body: { items: [record(1, false), record(2, true)] } })
  const page = await open()
  expect(texts(page, '.income-confirm')).toEqual(['确认'])
  expect(attr(page.querySelector('.income-confirm'), 'aria-label')).toBe('确认收到 场地租金 800.00 元')
  expect(texts(page, '.pending-item .waiting')).toEqual(['须由另一位业委会成员确认'])
  expect(texts(page, '.next-line')).toEqual(['下一期：2027年1月1日应收 ¥500.00'])
  expect(texts(page, '.end-contract')).toEqual(['提前终止'])
  expect(texts(page, '.add-income')).toEqual(['登记收入'])
  page.instance.openForm({ currentTarget: { dataset: { form: 'income' } } })
  await sleep(0)
  expect(texts(page, '.income-form .card-title')).toEqual(['登记收入'])
  expect(texts(page, '.contract-picker')).toEqual(['不关联合同 ▾'])
})

test('the supervisor reads, with no buttons', async () => {
  server.on('GET /api/v1/compounds/yangguang/income', { status: 200, body: { items: [record(1, false)] } })
  const page = await open(SUPERVISOR)
  expect(texts(page, '.income-confirm')).toEqual([])
  expect(texts(page, '.add-income')).toEqual([])
  expect(texts(page, '.end-contract')).toEqual([])
  expect(texts(page, '.pending-item .waiting')).toEqual(['等待业委会成员确认'])
})
