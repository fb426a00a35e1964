/**
 * @jest-environment jsdom
 *
 * 排查 (pages/campaign) for a liaison: the sweep's progress, each unit of my
 * reach (past its day, the building lead told), the chosen unit's
 * door-to-door list (未走访 / 没有问题 / problems and the issue opened), a
 * household opening its checklist; a list that fails offers 重试.
 */
const { installWx, requestsMade, signedIn, cancelModal } = require('../helpers/wx')
const { createPage, tap } = require('../helpers/page')
const { loadPage, renderPage, texts, attr, sleep } = require('../helpers/render')
const { todayInShanghai } = require('../../../miniprogram/utils/format')

const CAMPAIGN_PAGE = loadPage('campaign')

const later = (days) => {
  const d = new Date(`${todayInShanghai()}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

function campaign(extra = {}) {
  return Object.assign(
    {
      id: 5,
      type: 'safety',
      title: '冬季消防安全排查',
      checklist: ['楼道杂物', '电线私拉乱接', '燃气异味'],
      scope: { buildings: [1] },
      due_on: later(-1),
      status: 'open',
      progress: { visited: 2, total: 5 },
      units: [
        { unit_id: 7, unit: '1-3', visited: 2, total: 3, overdue: true, escalated: true },
        { unit_id: 8, unit: '1-4', visited: 0, total: 2, overdue: true, escalated: false },
      ],
      may: { record: true, close: false, export: false },
    },
    extra
  )
}

const DOORS = {
  items: [
    { household_id: 31, label: '1-3-101', result: { items: [{ item: '楼道杂物', ok: true }, { item: '电线私拉乱接', ok: true }, { item: '燃气异味', ok: true }], needs_action: false, issue_id: null } },
    { household_id: 32, label: '1-3-102', result: { items: [{ item: '楼道杂物', ok: false, note: '纸箱堆在门口' }, { item: '电线私拉乱接', ok: false }, { item: '燃气异味', ok: true }], needs_action: true, issue_id: 77 } },
    { household_id: 33, label: '1-3-201', result: null },
  ],
}

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  server.on('GET /api/v1/campaigns/5', { status: 200, body: campaign() })
  server.on('GET /api/v1/campaigns/5/households?unit_id=7', { status: 200, body: DOORS })
  server.on('GET /api/v1/campaigns/5/households?unit_id=8', { status: 200, body: { items: [] } })
})

async function open(options = { id: '5' }) {
  const page = createPage('campaign')
  await page.onLoad(options)
  return page
}

test('the units of my reach with their progress, past the day and the lead told', async () => {
  const page = await open()
  expect(page.data.campaign).toMatchObject({ title: '冬季消防安全排查', typeLabel: '安全隐患拉网式排查', open: true })
  expect(page.data.campaign.progress).toMatchObject({ line: '已走访 2 / 5 户', percent: 40 })
  expect(page.data.campaign.units.map((u) => [u.label, u.line, u.flags])).toEqual([
    ['1-3 单元', '已走访 2 / 3 户', '已过期限 · 已告知楼栋长'],
    ['1-4 单元', '已走访 0 / 2 户', '已过期限'],
  ])
  // Two units: none chosen for me, no list asked yet.
  expect(page.data.unitId).toBe(0)
  expect(requestsMade(wx)).toEqual(['GET /api/v1/campaigns/5'])
})

test('a unit chosen shows its door-to-door list; a household opens its checklist', async () => {
  const page = await open()
  await page.selectUnit(tap({ id: 7 }))
  expect(page.data.doors.map((d) => [d.label, d.state, d.issue])).toEqual([
    ['1-3-101', '没有问题', ''],
    ['1-3-102', '有 2 项问题', '已转报事 #77'],
    ['1-3-201', '未走访', ''],
  ])
  page.openDoor(tap({ id: 33 }))
  expect(wx.navigateTo).toHaveBeenCalledWith({
    url: '/pages/campaign-result/index?id=5&unit_id=7&household_id=33&label=1-3-201',
  })
})

test('a liaison of one unit gets its list at once, and again when coming back', async () => {
  server.on('GET /api/v1/campaigns/5', { status: 200, body: campaign({ units: [campaign().units[0]] }) })
  const page = await open()
  expect(page.data.unitId).toBe(7)
  expect(page.data.doors).toHaveLength(3)
  await page.onShow()
  expect(requestsMade(wx)).toEqual([
    'GET /api/v1/campaigns/5',
    'GET /api/v1/campaigns/5/households?unit_id=7',
    'GET /api/v1/campaigns/5',
    'GET /api/v1/campaigns/5/households?unit_id=7',
  ])
})

test('a list that fails says why and 重试 reads it again', async () => {
  server.on(
    'GET /api/v1/campaigns/5/households?unit_id=7',
    { fail: 'timeout' },
    { status: 200, body: DOORS }
  )
  const page = await open({ id: '5', unit_id: '7' })
  expect(page.data.doorsError).toBe('网络不给力，请稍后再试')
  await page.loadDoors()
  expect(page.data.doorsError).toBe('')
  expect(page.data.doors).toHaveLength(3)
})

test('someone outside the sweep is told so', async () => {
  server.on('GET /api/v1/campaigns/5', { status: 403, body: { code: 'campaign_forbidden', message: '只有负责的志愿者能看这次排查' } })
  const page = await open()
  expect(page.data.error).toBe('只有负责的志愿者能看这次排查')
})

test('rendered: progress, the units and the door list with ✓ and ✗', async () => {
  const page = renderPage(CAMPAIGN_PAGE)
  await page.instance.onLoad({ id: '5', unit_id: '7' })
  await sleep(0)
  expect(texts(page, '.page-title')).toEqual(['冬季消防安全排查'])
  expect(texts(page, '.progress-line')).toEqual(['已走访 2 / 5 户'])
  expect(texts(page, '.unit-label')).toEqual(['1-3 单元', '1-4 单元'])
  expect(texts(page, '.unit-flags')).toEqual(['已过期限 · 已告知楼栋长', '已过期限'])
  expect(texts(page, '.door-state')).toEqual(['✓ 没有问题', '✗ 有 2 项问题 · 已转报事 #77', '未走访'])
  expect(attr(page.querySelectorAll('.door')[1], 'aria-label')).toBe('1-3-102，有 2 项问题，已转报事 77 号')
  expect(attr(page.querySelector('.unit'), 'aria-selected')).toBe(true)
})

// The committee (may.close, may.export): the sweep's register (台账) as a
// workbook, and closing it, asked first. A liaison sees neither.
describe('the committee closes a sweep and exports its register', () => {
  const COMMITTEE_VIEW = campaign({ may: { record: true, close: true, export: true } })

  test('a liaison is offered neither', async () => {
    const page = renderPage(CAMPAIGN_PAGE)
    await page.instance.onLoad({ id: '5' })
    await sleep(0)
    expect(texts(page, '.export')).toEqual([])
    expect(texts(page, '.close')).toEqual([])
  })

  test('导出台账 downloads the workbook and opens it', async () => {
    server.on('GET /api/v1/campaigns/5', { status: 200, body: COMMITTEE_VIEW })
    server.on('GET /api/v1/campaigns/5/export', { status: 200, file: 'wxfile://tmp/register.xlsx' })
    wx.openDocument = jest.fn((options) => setTimeout(() => options.success({}), 0))
    const page = renderPage(CAMPAIGN_PAGE)
    await page.instance.onLoad({ id: '5' })
    await sleep(0)
    expect(texts(page, '.export')).toEqual(['导出台账'])
    await page.instance.exportRegister()
    expect(wx.openDocument).toHaveBeenCalledWith(expect.objectContaining({ filePath: 'wxfile://tmp/register.xlsx', fileType: 'xlsx', showMenu: true }))
    expect(page.instance.data.exporting).toBe(false)
  })

  test('结束排查 is asked first; then the sweep shows as ended', async () => {
    server.on('GET /api/v1/campaigns/5', { status: 200, body: COMMITTEE_VIEW })
    server.on('POST /api/v1/campaigns/5/close', { status: 200, body: campaign({ status: 'closed', may: { record: false, close: false, export: true } }) })
    const page = await open()
    cancelModal(wx)
    await page.closeCampaign()
    expect(wx.showModal.mock.calls[0][0]).toMatchObject({ title: '结束排查', content: '结束后各单元不能再登记，还没走访的 3 户也不再催办。确定结束？' })
    expect(requestsMade(wx)).not.toContain('POST /api/v1/campaigns/5/close')
    await page.closeCampaign()
    expect(requestsMade(wx)).toContain('POST /api/v1/campaigns/5/close')
    expect(page.data.campaign).toMatchObject({ open: false, mayClose: false })
    expect(wx.showToast).toHaveBeenCalledWith({ title: '排查已结束', icon: 'success' })
  })

  test('a refused close is said, and the page stays', async () => {
    server.on('GET /api/v1/campaigns/5', { status: 200, body: COMMITTEE_VIEW })
    server.on('POST /api/v1/campaigns/5/close', { status: 409, body: { code: 'campaign_closed', message: '这次排查已经结束了' } })
    const page = await open()
    await page.closeCampaign()
    expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '这次排查已经结束了' }))
    expect(page.data.closing).toBe(false)
  })
})
