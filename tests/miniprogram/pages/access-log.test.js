/**
 * @jest-environment jsdom
 *
 * 查看记录 (committee, supervisor): who saw which flat's phone or care tags,
 * when and why, newest first a page at a time; a date range and (the
 * committee) one flat narrow it; 导出表格 downloads the workbook and opens it.
 */
const { installWx, requestsMade, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, sleep } = require('../helpers/render')
const { COMMITTEE, SUPERVISOR, LIAISON, RESIDENT, COMPOUND } = require('../helpers/fixtures')

const ACCESS_LOG = loadPage('access-log')
const NOW = Date.parse('2026-12-05T02:00:00Z')
const LOG = '/api/v1/compounds/yangguang/access-log'

const line = (overrides = {}) =>
  Object.assign(
    {
      id: 31,
      at: '2026-12-04T19:20:00+08:00',
      actor: { id: 2, name: '李师傅', role: 'liaison' },
      action: 'view_phone',
      action_label: '查看电话',
      subject_type: 'household_member',
      household: '1-2-301',
      reason: '上门走访前联系',
    },
    overrides
  )

let wx, server

beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(NOW)
  ;({ wx, server } = installWx({ storage: signedIn() }))
  server.on('GET /api/v1/compounds/yangguang', { status: 200, body: COMPOUND })
})

afterEach(() => jest.restoreAllMocks())

async function open(user = COMMITTEE, items = [line()], next = null) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  server.on(`GET ${LOG}`, { status: 200, body: { items, next_cursor: next } })
  const page = renderPage(ACCESS_LOG)
  await page.instance.onLoad()
  await sleep(0)
  return page
}

test('each line says what was seen, when, by whom, of which flat and why', async () => {
  const erase = line({ id: 30, actor: { id: 1, name: '王阿姨', role: 'resident' }, action: 'erase', action_label: null, reason: null })
  const page = await open(COMMITTEE, [line(), erase])
  expect(texts(page, '.line-action')).toEqual(['查看电话', '删除本户信息'])
  expect(texts(page, '.line-who')).toEqual(['单元联络人 李师傅 · 1-2-301', '住户 王阿姨 · 1-2-301'])
  expect(texts(page, '.line-reason')).toEqual(['理由：上门走访前联系'])
  expect(texts(page, '.line-head .muted')).toEqual(['2026-12-04 19:20', '2026-12-04 19:20'])
})

test('the supervisor reads it too, with dates to filter by but no flat picker', async () => {
  const page = await open(SUPERVISOR)
  expect(texts(page, '.line-action')).toEqual(['查看电话'])
  expect(page.querySelector('.from-picker')).toBeDefined()
  expect(page.querySelector('.pick-household')).toBeUndefined()
})

test.each([
  ['a liaison', LIAISON],
  ['a resident', RESIDENT],
])('%s is told who may read it, and the log is not asked for', async (_, user) => {
  const page = await open(user)
  expect(texts(page, '.denied')).toEqual(['只有业委会成员和财务监督可以查看个人信息的查看记录。'])
  expect(requestsMade(wx).filter((r) => r.startsWith(`GET ${LOG}`))).toEqual([])
})

test('a date range and one flat are sent as filters; 看全部 drops them', async () => {
  server.on('GET /api/v1/units/5/households', { status: 200, body: { items: [{ id: 11, room: '301', floor: 3, label: '1-2-301', occupancy: 'owner_occupied' }] } })
  const page = await open()
  server.on(`GET ${LOG}?from=2026-12-01`, { status: 200, body: { items: [line()], next_cursor: null } })
  server.on(`GET ${LOG}?from=2026-12-01&to=2026-12-03`, { status: 200, body: { items: [], next_cursor: null } })
  server.on(`GET ${LOG}?from=2026-12-01&to=2026-12-03&household_id=11`, { status: 200, body: { items: [line()], next_cursor: null } })
  await page.instance.onFrom({ detail: { value: '2026-12-01' } })
  await page.instance.onTo({ detail: { value: '2026-12-03' } })
  await sleep(0)
  expect(page.querySelector('.nothing')).toBeDefined()
  await page.instance.pickHousehold()
  await page.instance.onUnit({ detail: { value: 1 } })
  await sleep(0)
  expect(texts(page, '.room-picker')).toEqual(['选房号 ▾'])
  await page.instance.onRoom({ detail: { value: 0 } })
  await sleep(0)
  expect(texts(page, '.line-action')).toEqual(['查看电话'])
  expect(texts(page, '.clear')).toEqual(['看全部'])
  await page.instance.clearFilters()
  expect(requestsMade(wx).filter((r) => r.startsWith(`GET ${LOG}`))).toEqual([
    `GET ${LOG}`,
    `GET ${LOG}?from=2026-12-01`,
    `GET ${LOG}?from=2026-12-01&to=2026-12-03`,
    `GET ${LOG}?from=2026-12-01&to=2026-12-03&household_id=11`,
    `GET ${LOG}`,
  ])
})

test('the next page is asked for with the cursor and added below', async () => {
  const page = await open(COMMITTEE, [line({ id: 31 })], 'MzE')
  server.on(`GET ${LOG}?cursor=MzE`, { status: 200, body: { items: [line({ id: 20, action_label: '导出住户登记' })], next_cursor: null } })
  await page.instance.onReachBottom()
  await sleep(0)
  expect(texts(page, '.line-action')).toEqual(['查看电话', '导出住户登记'])
})

test('导出表格 downloads the workbook and opens it; a failed download is said', async () => {
  wx.openDocument = jest.fn((options) => setTimeout(() => options.success({}), 0))
  const page = await open()
  server.on(`GET ${LOG}/export`, { status: 200, file: 'wxfile://tmp/access-log.xlsx' }, { status: 500 })
  await page.instance.exportLog()
  expect(wx.openDocument).toHaveBeenCalledWith(expect.objectContaining({ filePath: 'wxfile://tmp/access-log.xlsx', fileType: 'xlsx', showMenu: true }))
  await page.instance.exportLog()
  expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '查看记录没有下载下来，请稍后再试' }))
  expect(page.instance.data.exporting).toBe(false)
})

// The export takes the same filters as the list (AccessLogExportQuery: from,
// to, household_id): what is exported is what the page shows.
test('导出表格 exports what the filters show: the dates and the flat', async () => {
  wx.openDocument = jest.fn((options) => setTimeout(() => options.success({}), 0))
  const page = await open()
  server.on(`GET ${LOG}?from=2026-12-01&to=2026-12-04&household_id=11`, { status: 200, body: { items: [line()], next_cursor: null } })
  server.on(`GET ${LOG}/export?from=2026-12-01&to=2026-12-04&household_id=11`, { status: 200, file: 'wxfile://tmp/part.xlsx' })
  await page.instance.reload({ from: '2026-12-01', to: '2026-12-04', householdId: 11 })
  await page.instance.exportLog()
  expect(wx.openDocument).toHaveBeenCalledWith(expect.objectContaining({ filePath: 'wxfile://tmp/part.xlsx' }))
})
