/**
 * @jest-environment jsdom
 *
 * 公示栏's WXML: urgent notices red and first, named for a screen reader;
 * funds in big type; the rate with its counts; resolved this month; the
 * disclosure line; and no name of anyone anywhere.
 */
const { installWx, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, attr, sleep } = require('../helpers/render')
const { RESIDENT } = require('../helpers/fixtures')

const BOARD_PAGE = loadPage('board')

let wx, server

beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(Date.parse('2026-12-05T02:00:00Z'))
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

afterEach(() => jest.restoreAllMocks())

const notice = (id, title, urgent) => ({
  id,
  title,
  urgent,
  audience: 'compound',
  audience_label: '全小区',
  pinned: false,
  pinned_until: null,
  created_at: '2026-12-04T09:30:00+08:00',
  read: false,
  withdrawn: false,
  excerpt: '详见公告',
})

test('urgent first and red, funds big, the rate and resolved counts, the disclosure', async () => {
  server.on('GET /api/v1/me', { status: 200, body: RESIDENT })
  server.on('GET /api/v1/compounds/yangguang/board', {
    status: 200,
    body: {
      announcements: [notice(3, '大扫除', false), notice(2, '停气通知', true)],
      latest_disclosure: { id: 1, month: '2026-11', published_at: '2026-12-01T10:00:00+08:00' },
      funds: [{ account: 'fund:co_construction', name: '共建基金', balance_fen: 880000, income_fen_month: 0, spent_fen_month: 0 }],
      collection_rate: { month: '2026-12', households_billed: 4, households_paid: 3, collection_rate: 0.75 },
      resolved_this_month: [{ category: 'repair', category_label: '报修', count: 3 }],
      resolved_total: 3,
    },
  })
  const page = renderPage(BOARD_PAGE)
  await page.instance.onShow()
  await sleep(0)
  expect(texts(page, '.notice-title')).toEqual(['停气通知', '大扫除'])
  const [first] = page.querySelectorAll('.notice')
  expect(first.dom.className).toContain('notice--urgent')
  expect(attr(first, 'aria-label')).toBe('紧急停气通知，全小区，12月4日 09:30，未读')
  expect(texts(page, '.tag--urgent')).toEqual(['紧急'])
  expect(texts(page, '.fund-balance')).toEqual(['8800.00'])
  expect(texts(page, '.rate-value')).toEqual(['75.0%'])
  expect(texts(page, '.rate-card .muted')).toEqual(['已缴 3 户 / 应缴 4 户'])
  expect(texts(page, '.resolved-line')).toEqual(['报修 3 件'])
  expect(texts(page, '.disclosure-line')).toEqual(['2026年11月收支公示已发布（12月1日 10:00）'])

  page.querySelectorAll('.notice')[0].dispatchEvent('tap')
  await sleep(0)
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/notice/index?id=2' })
})

test('the disclosure line is a link that opens that disclosure', async () => {
  server.on('GET /api/v1/me', { status: 200, body: RESIDENT })
  server.on('GET /api/v1/compounds/yangguang/board', {
    status: 200,
    body: {
      announcements: [],
      latest_disclosure: { id: 7, month: '2026-11', published_at: '2026-12-01T10:00:00+08:00' },
      funds: [],
      collection_rate: { month: '2026-12', households_billed: 0, households_paid: 0, collection_rate: null },
      resolved_this_month: [],
      resolved_total: 0,
    },
  })
  const page = renderPage(BOARD_PAGE)
  await page.instance.onShow()
  await sleep(0)
  const [card] = page.querySelectorAll('.disclosure')
  expect(attr(card, 'aria-role')).toBe('link')
  expect(attr(card, 'aria-label')).toBe('2026年11月收支公示已发布（12月1日 10:00），点按查看')
  expect(texts(page, '.disclosure-open')).toEqual(['查看公示 ›'])
  card.dispatchEvent('tap')
  await sleep(0)
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/disclosure/index?id=7' })
})
