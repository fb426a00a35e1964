/**
 * @jest-environment jsdom
 *
 * How one reaches 住户登记表格: 我的住户 (liaisons, building leads) links to
 * 住户登记覆盖 of its compound; the coverage page, which answers their reach,
 * opens 住户登记表格 — 导入、导出 for the committee, 导出 for the others.
 */
const { installWx, requestsMade, signedIn } = require('../helpers/wx')
const { createPage } = require('../helpers/page')
const { loadPage, renderPage, texts, sleep } = require('../helpers/render')
const { COMMITTEE, COMMITTEE_ROLE, LIAISON, role } = require('../helpers/fixtures')

const COVERAGE_PAGE = loadPage('coverage')
const HOUSEHOLDS_PAGE = loadPage('households')

const COVERAGE = {
  buildings: [{ building: 1, households: 8, confirmed: 6, stale: 2, units: [{ unit: '1-3', unit_id: 7, households: 8, confirmed: 6, stale: 2 }] }],
  totals: { households: 8, confirmed: 6, stale: 2 },
}
const LEAD = { id: 8, nickname: '孙楼长', roles: [role('building_lead', 'building', 1, '1')], households: [] }

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  server.on('GET /api/v1/compounds/yangguang/census/coverage', { status: 200, body: COVERAGE })
  server.on('GET /api/v1/compounds/hongqi/census/coverage', { status: 200, body: COVERAGE })
})

async function coverage(user, options = {}) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  const page = renderPage(COVERAGE_PAGE)
  await page.instance.onLoad(options)
  await sleep(0)
  return page
}

test('the committee opens 导入、导出住户登记表格 of the compound shown', async () => {
  const page = await coverage(COMMITTEE)
  expect(texts(page, '.files-title')).toEqual(['导入、导出住户登记表格'])
  page.querySelector('.files-entry').dispatchEvent('tap')
  await sleep(0)
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/census-files/index?compound=yangguang' })
})

test.each([
  ['a liaison', LIAISON],
  ['a building lead', LEAD],
])('%s reads the coverage of their reach and opens 导出住户登记表格', async (_, user) => {
  const page = await coverage(user)
  expect(requestsMade(wx)).toContain('GET /api/v1/compounds/yangguang/census/coverage')
  expect(texts(page, '.totals-line')).toEqual(['已登记 6 户，共 8 户'])
  expect(texts(page, '.files-title')).toEqual(['导出住户登记表格'])
  page.querySelector('.files-entry').dispatchEvent('tap')
  await sleep(0)
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/census-files/index?compound=yangguang' })
})

test('opened with ?compound=, the coverage shows that compound', async () => {
  const other = Object.assign(role('liaison', 'unit', 9, '2-1'), { compound: 'hongqi', compound_name: '红旗小区' })
  const user = Object.assign({}, COMMITTEE, { roles: [COMMITTEE_ROLE, other] })
  const page = await coverage(user, { compound: 'hongqi' })
  expect(requestsMade(wx)).toContain('GET /api/v1/compounds/hongqi/census/coverage')
  expect(requestsMade(wx)).not.toContain('GET /api/v1/compounds/yangguang/census/coverage')
  expect(texts(page, '.files-title')).toEqual(['导出住户登记表格'])
})

test('我的住户 links a liaison to 住户登记覆盖 of the compound', async () => {
  server.on('GET /api/v1/me', { status: 200, body: LIAISON })
  server.on('GET /api/v1/compounds/yangguang/census/households?filter=to_visit', { status: 200, body: { items: [], coverage: COVERAGE.totals } })
  server.on('GET /api/v1/me/tasks', { status: 200, body: { items: [] } })
  server.on('GET /api/v1/compounds/yangguang/campaigns', { status: 200, body: { items: [] } })
  const page = renderPage(HOUSEHOLDS_PAGE)
  page.instance.onLoad({})
  await page.instance.onShow()
  await sleep(0)
  expect(texts(page, '.coverage-link')).toEqual(['各单元登记情况、导出表格 ›'])
  page.querySelector('.coverage-link').dispatchEvent('tap')
  await sleep(0)
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/coverage/index?compound=yangguang' })
})

test('the page is registered', () => {
  const app = require('../../../miniprogram/app.json')
  expect(app.pages).toContain('pages/census-files/index')
  expect(createPage('census-files').data.steps.length).toBe(4)
})
