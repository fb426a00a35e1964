/**
 * @jest-environment jsdom
 *
 * 我的住户 (pages/households): the coverage bar of my units (one unit when
 * chosen), the open sweeps, and the three lists — 走访任务 (care visits of GET
 * /me/tasks, overdue first and said so), 待登记核实 and 全部住户; someone with
 * no volunteer role is told who can use it; a list that fails says so.
 */
const { installWx, requestsMade, signedIn } = require('../helpers/wx')
const { createPage, tap } = require('../helpers/page')
const { loadPage, renderPage, texts, attr, sleep } = require('../helpers/render')
const { LIAISON, RESIDENT } = require('../helpers/fixtures')
const { todayInShanghai } = require('../../../miniprogram/utils/format')

const HOUSEHOLDS = loadPage('households')

const day = (offset) => {
  const d = new Date(`${todayInShanghai()}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + offset)
  return d.toISOString().slice(0, 10)
}
// "12月3日" as the page says it (the year too when it is not this year's).
const monthDay = (iso) => {
  const md = `${Number(iso.slice(5, 7))}月${Number(iso.slice(8, 10))}日`
  return iso.slice(0, 4) === todayInShanghai().slice(0, 4) ? md : `${iso.slice(0, 4)}年${md}`
}

const COVERAGE = {
  buildings: [
    {
      building: 1,
      households: 12,
      confirmed: 9,
      stale: 3,
      units: [
        { unit: '1-3', unit_id: 7, households: 8, confirmed: 6, stale: 2 },
        { unit: '1-4', unit_id: 8, households: 4, confirmed: 3, stale: 1 },
      ],
    },
  ],
  totals: { households: 12, confirmed: 9, stale: 3 },
}

const TO_VISIT = {
  items: [
    { household_id: 31, label: '1-3-101', members: 0, occupancy: 'lives_here', confirmed_at: null, stale: true },
    { household_id: 32, label: '1-3-102', members: 2, tags: ['elderly_alone'], occupancy: 'lives_here', confirmed_at: null, stale: true },
  ],
  coverage: { households: 8, confirmed: 6, stale: 2 },
}

const TASKS = {
  items: [
    { kind: 'care_visit', visit_id: 51, household_id: 32, label: '1-3-102', tag: 'elderly_alone', due_on: day(-3), overdue: true, escalation_level: 1 },
    { kind: 'care_visit', visit_id: 52, household_id: 33, label: '1-3-201', tag: 'needs_visits', due_on: day(4), overdue: false, escalation_level: 0 },
    { kind: 'return_visit', visit_id: 9, issue_id: 3, title: '楼道灯不亮', category: 'repair', due_at: `${day(1)}T10:00:00+08:00` },
  ],
}

const CAMPAIGNS = {
  items: [
    { id: 5, type: 'safety', title: '冬季消防安全排查', status: 'open', due_on: day(10), progress: { visited: 3, total: 8 } },
    { id: 4, type: 'dispute', title: '上次的排查', status: 'closed', due_on: day(-30), progress: { visited: 8, total: 8 } },
  ],
}

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  server.on('GET /api/v1/me', { status: 200, body: LIAISON })
  server.on('GET /api/v1/compounds/yangguang/census/coverage', { status: 200, body: COVERAGE })
  server.on('GET /api/v1/compounds/yangguang/census/households?filter=to_visit', { status: 200, body: TO_VISIT })
  server.on('GET /api/v1/me/tasks', { status: 200, body: TASKS })
  server.on('GET /api/v1/compounds/yangguang/campaigns', { status: 200, body: CAMPAIGNS })
})

async function open(options = {}) {
  const page = createPage('households')
  page.onLoad(options)
  await page.onShow()
  return page
}

test('the coverage of my units, the open sweeps and the households still to register', async () => {
  const page = await open()
  expect(page.data.coverage).toMatchObject({ line: '已登记确认 9 / 12 户', percent: 75, barStyle: 'width: 75%', stale: 3 })
  expect(page.data.campaigns).toEqual([{ id: 5, title: '冬季消防安全排查', line: '已走访 3 / 8 户', barStyle: 'width: 38%' }])
  expect(page.data.households.map((h) => [h.label, h.members, h.state, h.tags])).toEqual([
    ['1-3-101', '0 人', '未登记', ''],
    ['1-3-102', '2 人', '未登记', '独居老人'],
  ])
  expect(page.data.units.map((u) => u.label)).toEqual(['全部单元', '1-3 单元', '1-4 单元'])
  page.openHousehold(tap({ id: 32 }))
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/household/index?id=32' })
  page.openCampaign(tap({ id: 5 }))
  expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/campaign/index?id=5' })
})

test('走访任务 lists the care visits only, the overdue ones said so, and opens the visit', async () => {
  const page = await open({ tab: 'tasks' })
  expect(page.data.tab).toBe('tasks')
  expect(page.data.tasks.map((t) => [t.label, t.tagLabel, t.due, t.overdue, t.escalated])).toEqual([
    ['1-3-102', '独居老人', monthDay(day(-3)), true, '已上报楼栋长'],
    ['1-3-201', '需定期走访', monthDay(day(4)), false, ''],
  ])
  expect(page.data.overdueCount).toBe(1)
  page.openTask(tap({ id: 51 }))
  expect(wx.navigateTo).toHaveBeenCalledWith({
    url: `/pages/visit/index?id=51&household_id=32&label=1-3-102&tag=elderly_alone&due_on=${day(-3)}`,
  })
})

test('全部住户 and one unit ask the server for them; the bar follows the unit', async () => {
  server.on('GET /api/v1/compounds/yangguang/census/households?filter=all', { status: 200, body: TO_VISIT })
  server.on('GET /api/v1/compounds/yangguang/census/households?unit=1-4&filter=all', { status: 200, body: { items: [] } })
  const page = await open()
  await page.switchTab(tap({ tab: 'all' }))
  await page.onUnitChange({ detail: { value: '2' } })
  expect(requestsMade(wx)).toContain('GET /api/v1/compounds/yangguang/census/households?filter=all')
  expect(requestsMade(wx)).toContain('GET /api/v1/compounds/yangguang/census/households?unit=1-4&filter=all')
  expect(page.data.coverage.line).toBe('已登记确认 3 / 4 户')
  expect(page.data.units[page.data.unitIndex].label).toBe('1-4 单元')
  expect(page.data.emptyText).toBe('还没有住户')
})

test('a resident with no volunteer role is told who can use the page; nothing else is asked', async () => {
  server.on('GET /api/v1/me', { status: 200, body: RESIDENT })
  const page = await open()
  expect(page.data.empty).toBe(true)
  expect(requestsMade(wx)).toEqual(['GET /api/v1/me'])
})

test('the coverage failing shows the error card; the tasks failing only their line', async () => {
  server.on(
    'GET /api/v1/compounds/yangguang/census/coverage',
    { status: 403, body: { code: 'census_forbidden', message: '只有志愿者能看住户登记' } },
    { status: 200, body: COVERAGE }
  )
  server.on('GET /api/v1/me/tasks', { status: 503, body: { code: 'database_unavailable', message: '服务暂时不可用' } })
  const page = await open({ tab: 'tasks' })
  expect(page.data.error).toBe('只有志愿者能看住户登记')
  await page.retry()
  expect(page.data.error).toBe('')
  expect(page.data.tasksError).toBe('服务暂时不可用')
  expect(page.data.households).toHaveLength(2)
})

test('rendered: the bar, the tabs with the task count and the overdue visit first', async () => {
  const page = renderPage(HOUSEHOLDS)
  page.instance.onLoad({ tab: 'tasks' })
  await page.instance.onShow()
  await sleep(0)
  expect(texts(page, '.coverage-line')).toEqual(['已登记确认 9 / 12 户'])
  // The server's `stale` counts the households never confirmed too (most of
  // them on census day): the line names both.
  expect(texts(page, '.stale-line')).toEqual(['3 户还没登记确认，或超过一年没有核实'])
  expect(texts(page, '.tab')).toEqual(['走访任务（2）', '待登记核实', '全部住户'])
  expect(texts(page, '.overdue-line')).toEqual(['1 户已过走访日子，请先去这几户'])
  expect(texts(page, '.task-label')).toEqual(['1-3-102', '1-3-201'])
  expect(texts(page, '.task-overdue')).toEqual(['已超时，已上报楼栋长'])
  expect(attr(page.querySelector('.task'), 'aria-label')).toBe(`走访 1-3-102，独居老人，${monthDay(day(-3))}到期，已超时，已上报楼栋长`)
  expect(texts(page, '.campaign-title')).toEqual(['排查：冬季消防安全排查'])
})

// A list that could not be read is not a dead end: 重试 next to its line
// (pull-to-refresh is not something everyone knows).
test('rendered: the tasks or the sweeps failing offer 重试, which reads them again', async () => {
  server.on('GET /api/v1/me/tasks', { status: 503, body: { code: 'database_unavailable', message: '服务暂时不可用' } }, { status: 200, body: TASKS })
  server.on('GET /api/v1/compounds/yangguang/campaigns', { status: 503, body: { code: 'database_unavailable', message: '服务暂时不可用' } }, { status: 200, body: CAMPAIGNS })
  const page = renderPage(HOUSEHOLDS)
  page.instance.onLoad({ tab: 'tasks' })
  await page.instance.onShow()
  await sleep(0)
  expect(texts(page, '.retry-lists')).toEqual(['重试', '重试'])
  page.querySelector('.retry-lists').dispatchEvent('tap')
  await sleep(20)
  expect(page.instance.data.tasksError).toBe('')
  expect(page.instance.data.campaignsError).toBe('')
  expect(texts(page, '.retry-lists')).toEqual([])
  expect(texts(page, '.task-label')).toEqual(['1-3-102', '1-3-201'])
})
