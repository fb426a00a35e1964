/**
 * @jest-environment node
 */
const { installWx, requestsMade, signedIn } = require('../helpers/wx')
const { createPage, tap } = require('../helpers/page')
const { issueItem } = require('../helpers/fixtures')

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

const page1 = (items, next = null) => ({ status: 200, body: { items, next_cursor: next } })
const lastRequest = () => requestsMade(wx).slice(-1)[0]

test.each([
  ['submitted', 'GET /api/v1/issues?handled=true&status=submitted'],
  ['overdue', 'GET /api/v1/issues?handled=true&overdue=true'],
  ['accepted', 'GET /api/v1/issues?handled=true&status=accepted'],
  ['referred', 'GET /api/v1/issues?handled=true&status=referred'],
  ['tasks', 'GET /api/v1/me/tasks'],
])('the %s tab asks %s', async (tab, route) => {
  server.on('GET /api/v1/issues?handled=true&status=submitted', page1([]))
  server.on(route, route.includes('tasks') ? { status: 200, body: { items: [] } } : page1([issueItem()]))
  const page = createPage('workspace')
  await page.onShow()
  await page.switchTab(tap({ tab }))
  expect(lastRequest()).toBe(route)
  expect(page.data.tab).toBe(tab)
})

test('opens on 待受理 and lists its issues', async () => {
  server.on('GET /api/v1/issues?handled=true&status=submitted', page1([issueItem({ overdue: true })]))
  const page = createPage('workspace')
  await page.onShow()
  expect(page.data.tabs.map((t) => t.label)).toEqual(['待受理', '超时', '处理中', '已转办', '上门回访'])
  expect(page.data.items).toEqual([
    expect.objectContaining({ id: 3, title: '楼道灯不亮', statusLabel: '待受理', overdue: true, location: '1号楼2单元' }),
  ])
  page.openIssue(tap({ id: 3 }))
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/issue/index?id=3' })
})

test('the 上门回访 tab lists my tasks and opens the return visit', async () => {
  server.on('GET /api/v1/issues?handled=true&status=submitted', page1([]))
  server.on('GET /api/v1/me/tasks', {
    status: 200,
    body: {
      items: [
        {
          visit_id: 9,
          issue_id: 3,
          title: '独居老人家中漏水',
          category: 'care',
          due_at: '2024-12-08T10:00:00+08:00',
          on_behalf_name: '王奶奶',
        },
      ],
    },
  })
  const page = createPage('workspace')
  await page.onShow()
  await page.switchTab(tap({ tab: 'tasks' }))
  expect(page.data.tasks).toEqual([
    {
      visitId: 9,
      issueId: 3,
      title: '独居老人家中漏水',
      categoryLabel: '困难帮扶',
      due: expect.stringContaining('12月8日 10:00'),
      onBehalfName: '王奶奶',
    },
  ])
  page.openTask(tap({ id: 3 }))
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/issue/index?id=3&return_visit=1' })
})

test('scrolling to the bottom loads the next page of the tab', async () => {
  server.on('GET /api/v1/issues?handled=true&status=accepted', page1([issueItem({ id: 9 })], 'Nw'))
  server.on('GET /api/v1/issues?handled=true&status=accepted&cursor=Nw', page1([issueItem({ id: 7 })]))
  server.on('GET /api/v1/issues?handled=true&status=submitted', page1([]))
  const page = createPage('workspace')
  await page.onShow()
  await page.switchTab(tap({ tab: 'accepted' }))
  await page.onReachBottom()
  expect(page.data.items.map((i) => i.id)).toEqual([9, 7])
  expect(page.data.nextCursor).toBeNull()
  await page.onReachBottom() // nothing more to ask for
  expect(requestsMade(wx).filter((r) => r.includes('cursor'))).toHaveLength(1)
})

test('an answer for a tab already left is dropped', async () => {
  server.on('GET /api/v1/issues?handled=true&status=submitted', page1([issueItem({ id: 1 })]))
  server.on('GET /api/v1/issues?handled=true&overdue=true', page1([issueItem({ id: 2 })]))
  // Hold the 待受理 answer back until the user has moved on to 超时.
  const answer = wx.request.getMockImplementation()
  let release
  wx.request.mockImplementation((options) =>
    options.url.includes('status=submitted') ? (release = () => answer(options)) : answer(options)
  )
  const page = createPage('workspace')
  const first = page.onShow()
  await page.switchTab(tap({ tab: 'overdue' }))
  release()
  await first
  expect(page.data.tab).toBe('overdue')
  expect(page.data.items.map((i) => i.id)).toEqual([2])
})

test('代居民报事 opens the report form with the on-behalf switch on', async () => {
  server.on('GET /api/v1/issues?handled=true&status=submitted', page1([]))
  const page = createPage('workspace')
  await page.onShow()
  page.fileForResident()
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/report/index?on_behalf=1' })
})

test('a failure shows the server message', async () => {
  server.on('GET /api/v1/issues?handled=true&status=submitted', {
    status: 503,
    body: { code: 'database_unavailable', message: '服务暂时不可用，请稍后再试' },
  })
  const page = createPage('workspace')
  await page.onShow()
  expect(page.data.error).toBe('服务暂时不可用，请稍后再试')
})
