/**
 * @jest-environment node
 */
const { installWx, requestsMade, sentBody, signedIn } = require('../helpers/wx')
const { createPage, tap } = require('../helpers/page')
const { issueItem, pushStatus, COMMITTEE, LIAISON } = require('../helpers/fixtures')

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

const page1 = (items, next = null) => ({ status: 200, body: { items, next_cursor: next } })
// The last request of the issue lists (the push counts are read beside them).
const lastRequest = () =>
  requestsMade(wx)
    .filter((r) => r !== 'GET /api/v1/me/subscriptions')
    .slice(-1)[0]

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
  await new Promise((resolve) => setTimeout(resolve, 0)) // the 待受理 request is out, as before any tap on a phone
  await page.switchTab(tap({ tab: 'overdue' }))
  release()
  await first
  expect(page.data.tab).toBe('overdue')
  expect(page.data.items.map((i) => i.id)).toEqual([2])
})

test('代居民报事 opens its own page above 工作台, which stays underneath', async () => {
  server.on('GET /api/v1/issues?handled=true&status=submitted', page1([]))
  const page = createPage('workspace')
  await page.onShow()
  page.fileForResident()
  // Not switchTab: that would close 工作台 and leave the 报事 tab for a neighbour.
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/report-for/index' })
  expect(wx.switchTab).not.toHaveBeenCalled()
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

describe('新报事提醒我', () => {
  const STATUS = 'GET /api/v1/me/subscriptions'
  const SUBSCRIBE = 'POST /api/v1/me/subscriptions'

  async function openWorkspace(status) {
    server.on('GET /api/v1/issues?handled=true&status=submitted', page1([issueItem()]))
    server.on(STATUS, { status: 200, body: status })
    const page = createPage('workspace')
    await page.onShow()
    return page
  }

  test('shows how many new-issue and reminder pushes are left', async () => {
    const page = await openWorkspace(pushStatus({ new_issue: 3, reminder: 0 }))
    expect(page.data.push).toMatchObject({
      line: '还能收到 3 条新报事提醒 / 0 条催办提醒',
      tmplIds: ['tmpl-new', 'tmpl-remind'],
      low: true,
      followHint: '',
    })
    expect(page.data.items.map((i) => i.id)).toEqual([3])
  })

  test('the tap asks WeChat for both templates at once, posts what was accepted, shows the new count', async () => {
    server.on(SUBSCRIBE, { status: 200, body: pushStatus({ new_issue: 4, reminder: 1 }) })
    const page = await openWorkspace(pushStatus({ new_issue: 3, reminder: 0 }))
    const tapped = page.remindMe()
    // Inside the tap itself, before any await: WeChat refuses the dialog otherwise.
    expect(wx.requestSubscribeMessage).toHaveBeenCalledTimes(1)
    expect(wx.requestSubscribeMessage.mock.calls[0][0].tmplIds).toEqual(['tmpl-new', 'tmpl-remind'])
    await tapped
    expect(sentBody(wx, SUBSCRIBE)).toEqual({ accepted: ['tmpl-new', 'tmpl-remind'] })
    expect(page.data.push.line).toBe('还能收到 4 条新报事提醒 / 1 条催办提醒')
    expect(page.data.pushBusy).toBe(false)
    expect(wx.showToast).toHaveBeenCalledWith({ title: '已开启提醒', icon: 'success' })
  })

  test('only what was accepted is posted', async () => {
    server.on(SUBSCRIBE, { status: 200, body: pushStatus({ new_issue: 1, reminder: 0 }) })
    wx.requestSubscribeMessage.mockImplementation((o) =>
      setTimeout(() => o.success({ errMsg: 'requestSubscribeMessage:ok', 'tmpl-new': 'accept', 'tmpl-remind': 'reject' }), 0)
    )
    const page = await openWorkspace(pushStatus({ new_issue: 0, reminder: 0 }))
    await page.remindMe()
    expect(sentBody(wx, SUBSCRIBE)).toEqual({ accepted: ['tmpl-new'] })
    expect(page.data.push.line).toBe('还能收到 1 条新报事提醒 / 0 条催办提醒')
  })

  test('a refusal posts nothing, keeps the count and says so', async () => {
    wx.requestSubscribeMessage.mockImplementation((o) =>
      setTimeout(() => o.success({ errMsg: 'requestSubscribeMessage:ok', 'tmpl-new': 'reject', 'tmpl-remind': 'reject' }), 0)
    )
    const page = await openWorkspace(pushStatus({ new_issue: 2, reminder: 2 }))
    await page.remindMe()
    expect(requestsMade(wx)).not.toContain(SUBSCRIBE)
    expect(page.data.push.line).toBe('还能收到 2 条新报事提醒 / 2 条催办提醒')
    expect(wx.showToast).toHaveBeenCalledWith({ title: '没有开启提醒', icon: 'none' })
  })

  test('accepted but not recorded (network): the user is told, the count stays', async () => {
    server.on(SUBSCRIBE, { fail: 'timeout' })
    const page = await openWorkspace(pushStatus({ new_issue: 0, reminder: 0 }))
    await page.remindMe()
    expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '网络不给力，请稍后再试' }))
    expect(page.data.push.line).toBe('还能收到 0 条新报事提醒 / 0 条催办提醒')
    expect(page.data.pushBusy).toBe(false)
  })

  test('following the official account: pushed without tapping, no button', async () => {
    const page = await openWorkspace(
      pushStatus({ new_issue: 0, reminder: 0 }, { linked: true, channels: { new_issue: 'official_account', reminder: 'official_account' } })
    )
    expect(page.data.push).toMatchObject({
      line: '您已关注公众号：新报事和催办会直接推送到微信，不用点按。',
      tmplIds: [],
      byAccount: true,
    })
    await page.remindMe()
    expect(wx.requestSubscribeMessage).not.toHaveBeenCalled()
  })

  test('the account sends new issues only: the tap asks for reminders', async () => {
    const page = await openWorkspace(
      pushStatus({ new_issue: 0, reminder: 5 }, { linked: true, channels: { new_issue: 'official_account' } })
    )
    expect(page.data.push.line).toBe('还能收到 5 条催办提醒；新报事提醒由公众号推送')
    expect(page.data.push.tmplIds).toEqual(['tmpl-remind'])
    expect(page.data.push.low).toBe(false)
  })

  test('an account one could follow is mentioned to those who do not follow it', async () => {
    const page = await openWorkspace(pushStatus({ new_issue: 1, reminder: 1 }, { accountEnabled: true }))
    expect(page.data.push.followHint).toBe('关注小区的微信公众号后，不用每次点按也能收到。')
  })

  test('the counts are read again on every show', async () => {
    server.on('GET /api/v1/issues?handled=true&status=submitted', page1([]))
    server.on(
      STATUS,
      { status: 200, body: pushStatus({ new_issue: 2, reminder: 2 }) },
      { status: 200, body: pushStatus({ new_issue: 1, reminder: 2 }) }
    )
    const page = createPage('workspace')
    await page.onShow()
    await page.onShow()
    expect(page.data.push.line).toBe('还能收到 1 条新报事提醒 / 2 条催办提醒')
  })

  test('counts that cannot be read hide the card, the issues still show', async () => {
    server.on('GET /api/v1/issues?handled=true&status=submitted', page1([issueItem()]))
    server.on(STATUS, { status: 503, body: { code: 'database_unavailable', message: '服务暂时不可用' } })
    const page = createPage('workspace')
    await page.onShow()
    expect(page.data.push).toBeNull()
    expect(page.data.error).toBe('')
    expect(page.data.items).toHaveLength(1)
  })
})

test.each([
  ['the committee', COMMITTEE, { canSeeCompound: true, canSeePeople: true, canHandover: true, canSharePhone: true }],
  ['a liaison', LIAISON, { canSeeCompound: false, canSeePeople: false, canHandover: true, canSharePhone: true }],
])('%s: the entries come from one GET /me per show', async (who, user, entries) => {
  server.on('GET /api/v1/issues?handled=true&status=submitted', page1([]))
  server.on('GET /api/v1/me', { status: 200, body: user })
  const page = createPage('workspace')
  page.onLoad()
  await page.onShow()
  expect(requestsMade(wx).filter((r) => r === 'GET /api/v1/me')).toHaveLength(1)
  expect(page.data).toMatchObject(entries)
  page.openCompound()
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/compound/index' })
})

test('a role taken up meanwhile shows on the next show, whatever the stored user says', async () => {
  ;({ wx, server } = installWx({ storage: signedIn({ user: LIAISON }) }))
  server.on('GET /api/v1/issues?handled=true&status=submitted', page1([]))
  server.on('GET /api/v1/me', { status: 200, body: LIAISON }, { status: 200, body: COMMITTEE })
  const page = createPage('workspace')
  page.onLoad()
  await page.onShow()
  expect([page.data.canSeeCompound, page.data.canSeePeople]).toEqual([false, false])
  await page.onShow()
  expect([page.data.canSeeCompound, page.data.canSeePeople]).toEqual([true, true])
})
