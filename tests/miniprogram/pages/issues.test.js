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

test('lists the issues I reported with their status and latest step', async () => {
  server.on(
    'GET /api/v1/issues?mine=true',
    page1([
      issueItem({
        status: 'accepted',
        status_label: '处理中',
        photo_count: 2,
        latest: {
          action: 'accept',
          action_label: '受理',
          note: '明天来修',
          created_at: '2024-12-02T09:05:00+08:00',
        },
      }),
    ])
  )
  const page = createPage('issues')
  await page.onShow()
  expect(page.data.items).toEqual([
    {
      id: 3,
      title: '楼道灯不亮',
      status: 'accepted',
      statusLabel: '处理中',
      categoryLabel: '报修',
      location: '1号楼2单元',
      createdAt: expect.stringContaining('12月1日 15:01'),
      overdue: false,
      photoCount: 2,
      latest: '受理：明天来修',
    },
  ])
  page.openIssue(tap({ id: 3 }))
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/issue/index?id=3' })
})

test('pull-down reloads the first page', async () => {
  server.on(
    'GET /api/v1/issues?mine=true',
    page1([issueItem({ id: 3 })]),
    page1([issueItem({ id: 4 }), issueItem({ id: 3 })])
  )
  const page = createPage('issues')
  await page.onShow()
  await page.onPullDownRefresh()
  expect(page.data.items.map((i) => i.id)).toEqual([4, 3])
  expect(wx.stopPullDownRefresh).toHaveBeenCalled()
})

test('scrolling to the bottom follows next_cursor until there is none', async () => {
  server.on('GET /api/v1/issues?mine=true', page1([issueItem({ id: 9 })], 'OQ'))
  server.on('GET /api/v1/issues?mine=true&cursor=OQ', page1([issueItem({ id: 8 })]))
  const page = createPage('issues')
  await page.onShow()
  await page.onReachBottom()
  await page.onReachBottom()
  expect(page.data.items.map((i) => i.id)).toEqual([9, 8])
  expect(requestsMade(wx)).toEqual(['GET /api/v1/issues?mine=true', 'GET /api/v1/issues?mine=true&cursor=OQ'])
})

test('nothing reported yet', async () => {
  server.on('GET /api/v1/issues?mine=true', page1([]))
  const page = createPage('issues')
  await page.onShow()
  expect(page.data).toMatchObject({ loaded: true, items: [], error: '' })
  page.goReport()
  expect(wx.switchTab).toHaveBeenCalledWith({ url: '/pages/report/index' })
})
