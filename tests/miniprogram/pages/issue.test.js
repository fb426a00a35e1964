/**
 * @jest-environment node
 */
const { installWx, requestsMade, sentBody, pickPhotos, signedIn } = require('../helpers/wx')
const { createPage, tap, input } = require('../helpers/page')
const { issueDetail, validationError, CONFIG, pushStatus } = require('../helpers/fixtures')

let wx, server

// "Now" is 2024-12-05 in Shanghai, so 2024 dates print without their year.
const NOW = Date.parse('2024-12-05T02:00:00Z')

beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(NOW)
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

afterEach(() => jest.restoreAllMocks())

const TRANSITIONS = 'POST /api/v1/issues/3/transitions'

async function openIssue(detail, options = {}) {
  server.on('GET /api/v1/issues/3', { status: 200, body: detail })
  const page = createPage('issue')
  await page.onLoad(Object.assign({ id: '3' }, options))
  return page
}

const buttons = (page) => page.data.actions.map((a) => a.label)

test('shows the issue, its place and its timeline, newest first, in Shanghai time', async () => {
  const accepted = {
    id: 2,
    action: 'accept',
    action_label: '受理',
    from_status: 'submitted',
    to_status: 'accepted',
    actor_name: '李师傅',
    actor_role: 'liaison',
    note: '明天上午去看',
    data: { track: 'onsite' },
    photos: [],
    created_at: '2024-12-02T09:05:00+08:00',
  }
  const base = issueDetail()
  const timeline = base.timeline.concat(accepted)
  const page = await openIssue(issueDetail({ status: 'accepted', status_label: '处理中', timeline }))
  expect(page.data.issue).toMatchObject({
    title: '楼道灯不亮',
    statusLabel: '处理中',
    location: '1号楼2单元',
    description: '三楼到五楼的灯都不亮，\n晚上老人上下楼很危险。',
    createdAt: '12月1日 15:01',
    reporter: '王阿姨',
  })
  expect(page.data.issue.timeline).toEqual([
    { id: 2, actionLabel: '受理', actor: '李师傅 · 单元联络人', note: '明天上午去看', time: '12月2日 09:05', photoCount: 0 },
    { id: 1, actionLabel: '提交', actor: '王阿姨 · 住户', note: '', time: '12月1日 15:01', photoCount: 0 },
  ])
})

test('shows the referral', async () => {
  const page = await openIssue(
    issueDetail({
      status: 'referred',
      track: 'referral',
      referral: { body: '街道城管科', contact: '张科长', reference: 'GD-2024-118', follow_up_on: '2024-12-10' },
    })
  )
  expect(page.data.issue.referral).toEqual({
    body: '街道城管科',
    contact: '张科长',
    reference: 'GD-2024-118',
    followUpOn: '12月10日',
  })
})

test.each([
  [['accept', 'reject', 'mark_duplicate'], ['受理', '不予受理', '标为重复']],
  [['refer', 'resolve', 'reject', 'mark_duplicate'], ['转办', '办结', '不予受理', '标为重复']],
  [['confirm', 'reopen'], ['确认完成', '重新打开']],
  [[], []],
])('actions %j show exactly the buttons %j', async (actions, labels) => {
  const page = await openIssue(issueDetail({ actions }))
  expect(buttons(page)).toEqual(labels)
})

test('受理 asks first, then accepts and shows the issue as the server returns it', async () => {
  server.on(TRANSITIONS, {
    status: 200,
    body: issueDetail({ status: 'accepted', status_label: '处理中', actions: ['refer', 'resolve'] }),
  })
  const page = await openIssue(issueDetail({ actions: ['accept', 'reject'] }))
  await page.openAction(tap({ action: 'accept' }))
  expect(wx.showModal).toHaveBeenCalled()
  expect(sentBody(wx, TRANSITIONS)).toEqual({ action: 'accept' })
  expect(page.data.issue.statusLabel).toBe('处理中')
  expect(buttons(page)).toEqual(['转办', '办结'])
  expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已受理' }))
})

test('确认完成 needs a rating and sends it with the comment', async () => {
  const closed = issueDetail({ status: 'closed', status_label: '已完成', rating: 4 })
  server.on(TRANSITIONS, { status: 200, body: closed })
  const page = await openIssue(issueDetail({ status: 'resolved', actions: ['confirm', 'reopen'] }))
  await page.openAction(tap({ action: 'confirm' }))
  expect(page.data.activeLabel).toBe('确认完成')
  await page.submitAction()
  expect(page.data.errors).toEqual({ rating: '请为处理结果打分（1–5 星）' })
  expect(requestsMade(wx)).not.toContain(TRANSITIONS)

  page.setRating(tap({ value: 4 }))
  page.onFormInput(input('note', ' 修得很快 '))
  await page.submitAction()
  expect(sentBody(wx, TRANSITIONS)).toEqual({ action: 'confirm', note: '修得很快', rating: 4 })
  expect(page.data.activeAction).toBe('')
  expect(page.data.issue).toMatchObject({ statusLabel: '已完成', rating: 4 })
})

test('转办 needs the handling body and a follow-up date from today on', async () => {
  server.on(TRANSITIONS, { status: 200, body: issueDetail({ status: 'referred' }) })
  const page = await openIssue(issueDetail({ status: 'accepted', actions: ['refer', 'resolve'] }))
  await page.openAction(tap({ action: 'refer' }))
  await page.submitAction()
  expect(page.data.errors).toEqual({ referral_body: '请填写承办单位', follow_up_on: '请选择跟进日期' })

  page.onFormInput(input('referral_body', '街道城管科'))
  page.onFormInput({ currentTarget: { dataset: { field: 'follow_up_on' } }, detail: { value: '2024-12-04' } })
  await page.submitAction()
  expect(page.data.errors).toEqual({ follow_up_on: '跟进日期不能早于今天' })
  expect(requestsMade(wx)).not.toContain(TRANSITIONS)

  page.onFormInput({ currentTarget: { dataset: { field: 'follow_up_on' } }, detail: { value: '2024-12-05' } })
  page.onFormInput(input('referral_ref', 'GD-118'))
  await page.submitAction()
  expect(sentBody(wx, TRANSITIONS)).toEqual({
    action: 'refer',
    note: null,
    referral_body: '街道城管科',
    referral_contact: null,
    referral_ref: 'GD-118',
    follow_up_on: '2024-12-05',
  })
})

test.each([
  ['reopen', '请说明哪里还没有解决', ['confirm', 'reopen']],
  ['reject', '请说明不予受理的原因', ['accept', 'reject']],
  ['resolve', '请说明处理结果', ['refer', 'resolve']],
])('%s needs a note before calling the API', async (action, message, actions) => {
  server.on(TRANSITIONS, { status: 200, body: issueDetail() })
  const page = await openIssue(issueDetail({ actions }))
  await page.openAction(tap({ action }))
  page.onFormInput(input('note', '   '))
  await page.submitAction()
  expect(page.data.errors).toEqual({ note: message })
  expect(requestsMade(wx)).not.toContain(TRANSITIONS)

  page.onFormInput(input('note', '灯泡换了还是不亮'))
  await page.submitAction()
  expect(sentBody(wx, TRANSITIONS)).toMatchObject({ action, note: '灯泡换了还是不亮' })
})

test('办结 sends the photos taken on site', async () => {
  server.on(TRANSITIONS, { status: 200, body: issueDetail({ status: 'resolved' }) })
  server.on('POST /api/v1/uploads', { status: 201, body: { id: 77 } })
  const page = await openIssue(issueDetail({ status: 'accepted', actions: ['resolve'] }))
  await page.openAction(tap({ action: 'resolve' }))
  pickPhotos(wx, [{ tempFilePath: 'wxfile://tmp/done.jpg', size: 1000 }])
  await page.chooseFormPhotos()
  page.onFormInput(input('note', '已更换灯泡'))
  await page.submitAction()
  expect(sentBody(wx, TRANSITIONS)).toEqual({ action: 'resolve', note: '已更换灯泡', photos: [77] })
})

test('标为重复 needs another issue number', async () => {
  server.on(TRANSITIONS, { status: 200, body: issueDetail({ status: 'duplicate' }) })
  const page = await openIssue(issueDetail({ actions: ['accept', 'mark_duplicate'] }))
  await page.openAction(tap({ action: 'mark_duplicate' }))
  page.onFormInput(input('duplicate_of', 'abc'))
  await page.submitAction()
  expect(page.data.errors).toEqual({ duplicate_of: '请填写重复事项的编号（数字）' })
  page.onFormInput(input('duplicate_of', '3'))
  await page.submitAction()
  expect(page.data.errors).toEqual({ duplicate_of: '不能与本事项自身重复' })
  page.onFormInput(input('duplicate_of', '2'))
  await page.submitAction()
  expect(sentBody(wx, TRANSITIONS)).toEqual({ action: 'mark_duplicate', note: null, duplicate_of: 2 })
})

test("the server's field errors stay in the form", async () => {
  server.on(TRANSITIONS, validationError({ referral_body: ['最多 60 个字'] }))
  const page = await openIssue(issueDetail({ status: 'accepted', actions: ['refer'] }))
  await page.openAction(tap({ action: 'refer' }))
  page.onFormInput(input('referral_body', '城管'))
  page.onFormInput({ currentTarget: { dataset: { field: 'follow_up_on' } }, detail: { value: '2024-12-06' } })
  await page.submitAction()
  expect(page.data.errors).toEqual({ referral_body: '最多 60 个字' })
  expect(page.data.activeAction).toBe('refer')
})

test('an action someone else got to first is reported and the issue reloaded', async () => {
  server.on(
    'GET /api/v1/issues/3',
    { status: 200, body: issueDetail({ actions: ['accept'] }) },
    { status: 200, body: issueDetail({ status: 'accepted', status_label: '处理中', actions: [] }) }
  )
  server.on(TRANSITIONS, {
    status: 409,
    body: { code: 'invalid_transition', message: '事项当前为「处理中」，不能受理' },
  })
  const page = createPage('issue')
  await page.onLoad({ id: '3' })
  await page.openAction(tap({ action: 'accept' }))
  expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '事项当前为「处理中」，不能受理' }))
  expect(page.data.issue.statusLabel).toBe('处理中')
  expect(page.data.actions).toEqual([])
})

test('the return visit: 仍未解决 posts fixed:false with the note and refreshes', async () => {
  server.on(
    'GET /api/v1/issues/3',
    { status: 200, body: issueDetail({ status: 'closed', can_answer_return_visit: true }) },
    { status: 200, body: issueDetail({ status: 'accepted', status_label: '处理中' }) }
  )
  server.on('POST /api/v1/issues/3/return-visit', {
    status: 200,
    body: {
      id: 9,
      kind: 'message',
      status: 'answered',
      answer: 'not_fixed',
      answered_at: '2024-12-05T10:00:00+08:00',
    },
  })
  const page = createPage('issue')
  await page.onLoad({ id: '3', return_visit: '1' })
  expect(page.data.canAnswerVisit).toBe(true)
  page.onVisitNoteInput({ detail: { value: '又不亮了' } })
  await page.answerVisit(tap({ fixed: 'no' }))
  expect(sentBody(wx, 'POST /api/v1/issues/3/return-visit')).toEqual({ fixed: false, note: '又不亮了' })
  expect(requestsMade(wx).filter((r) => r === 'GET /api/v1/issues/3')).toHaveLength(2)
  expect(page.data.issue.statusLabel).toBe('处理中')
  expect(page.data.canAnswerVisit).toBe(false)
  expect(page.data.visitHint).toBe('')
})

test('已解决 posts fixed:true without a note', async () => {
  const closed = issueDetail({ status: 'closed', can_answer_return_visit: true })
  server.on('GET /api/v1/issues/3', { status: 200, body: closed })
  server.on('POST /api/v1/issues/3/return-visit', { status: 200, body: { id: 9 } })
  const page = createPage('issue')
  await page.onLoad({ id: '3' })
  await page.answerVisit(tap({ fixed: 'yes' }))
  expect(sentBody(wx, 'POST /api/v1/issues/3/return-visit')).toEqual({ fixed: true, note: null })
})

test('opened from a return-visit message that needs no answer any more', async () => {
  const page = await openIssue(issueDetail({ status: 'closed' }), { return_visit: '1' })
  expect(page.data.canAnswerVisit).toBe(false)
  expect(page.data.visitHint).toBe('这条回访已经答复过了，或已不需要答复')
})

test('photos are downloaded with the token; one that fails stays a placeholder', async () => {
  server.on('GET /api/v1/uploads/41', { status: 200, file: 'wxfile://tmp/41.jpg' })
  server.on('GET /api/v1/uploads/42', { status: 404 })
  const page = await openIssue(issueDetail({ photos: [41, 42], photo_count: 2 }))
  await page.loadPhotos() // they come in the background
  expect(page.data.photoList).toEqual([
    { id: 41, path: 'wxfile://tmp/41.jpg', failed: false },
    { id: 42, path: '', failed: true },
  ])
  expect(wx.downloadFile.mock.calls[0][0].header.Authorization).toBe('Bearer valid-token')
})

test('pulled down, the spinner stops when the issue is there, not after the photo downloads', async () => {
  const downloads = []
  wx.downloadFile.mockImplementation((options) => downloads.push(options)) // slow: never answered here
  const page = await openIssue(issueDetail({ photos: [41], photo_count: 1 }))
  server.on('GET /api/v1/issues/3', { status: 200, body: issueDetail({ title: '楼道灯还是不亮', photos: [41], photo_count: 1 }) })
  await page.onPullDownRefresh()
  expect(wx.stopPullDownRefresh).toHaveBeenCalled()
  expect(page.data.issue.title).toBe('楼道灯还是不亮')
  expect(page.data.photoList).toEqual([{ id: 41, path: '', failed: false }])
  // The one photo is asked for once, however often the page is read again.
  expect(downloads).toHaveLength(1)
  downloads[0].success({ statusCode: 200, tempFilePath: 'wxfile://tmp/41.jpg' })
  await page.loadPhotos()
  expect(page.data.photoList).toEqual([{ id: 41, path: 'wxfile://tmp/41.jpg', failed: false }])
})

test('an issue I may not see shows the server message', async () => {
  server.on('GET /api/v1/issues/3', { status: 404, body: { code: 'issue_not_found', message: '找不到该事项' } })
  const page = createPage('issue')
  await page.onLoad({ id: '3' })
  expect(page.data.error).toBe('找不到该事项')
})

describe('开启办结提醒', () => {
  const SUBSCRIPTIONS = 'POST /api/v1/me/subscriptions'
  // The detail says who reported it: my issues are never listed to find out.
  const listedMine = () => requestsMade(wx).some((r) => r.startsWith('GET /api/v1/issues?'))

  function templatesKnown() {
    server.on('GET /api/v1/config', { status: 200, body: CONFIG })
    server.on(SUBSCRIPTIONS, { status: 200, body: { quotas: { 'tmpl-status': 1 } } })
  }

  // Issue 3 as its reporter (or the liaison who filed it) sees it.
  const mine = (overrides) => issueDetail(Object.assign({ is_reporter: true }, overrides))

  test.each(['accepted', 'referred'])('while %s, the reporter is offered the reminder', async (status) => {
    templatesKnown()
    const page = await openIssue(mine({ status }))
    expect(page.data).toMatchObject({ canRemind: true, reminderTmplIds: ['tmpl-status'] })
    expect(requestsMade(wx)).toEqual(['GET /api/v1/issues/3', 'GET /api/v1/config'])
    expect(requestsMade(wx)).not.toContain(`GET /api/v1/issues?mine=true&status=${status}&limit=50`)
  })

  test('the liaison who filed it for a neighbour is offered it too', async () => {
    templatesKnown()
    const page = await openIssue(mine({ status: 'accepted', on_behalf_name: '王奶奶' }))
    expect(page.data.canRemind).toBe(true)
    expect(listedMine()).toBe(false)
  })

  test('tapping it asks WeChat straight away, posts the accepted id, then hides the button', async () => {
    templatesKnown()
    const page = await openIssue(mine({ status: 'accepted' }))
    const tapped = page.enableReminder()
    // Before any await: WeChat only shows the dialog from the tap itself.
    expect(wx.requestSubscribeMessage).toHaveBeenCalledWith(
      expect.objectContaining({ tmplIds: ['tmpl-status'] })
    )
    await tapped
    expect(sentBody(wx, SUBSCRIPTIONS)).toEqual({ accepted: ['tmpl-status'] })
    expect(page.data.canRemind).toBe(false)
  })

  test('a refusal posts nothing and keeps the button', async () => {
    templatesKnown()
    wx.requestSubscribeMessage.mockImplementation((o) =>
      setTimeout(() => o.success({ errMsg: 'requestSubscribeMessage:ok', 'tmpl-status': 'reject' }), 0)
    )
    const page = await openIssue(mine({ status: 'accepted' }))
    await page.enableReminder()
    expect(requestsMade(wx)).not.toContain(SUBSCRIPTIONS)
    expect(page.data.canRemind).toBe(true)
  })

  test('someone else (a neighbour, a handler) is not offered it, and nothing more is asked', async () => {
    templatesKnown()
    const page = await openIssue(issueDetail({ status: 'accepted', actions: ['refer', 'resolve'] }))
    expect(page.data.canRemind).toBe(false)
    expect(requestsMade(wx)).toEqual(['GET /api/v1/issues/3'])
  })

  test('a detail without is_reporter counts as not mine', async () => {
    templatesKnown()
    const detail = issueDetail({ status: 'accepted' })
    delete detail.is_reporter
    const page = await openIssue(detail)
    expect(page.data.canRemind).toBe(false)
    expect(requestsMade(wx)).toEqual(['GET /api/v1/issues/3'])
  })

  test.each(['submitted', 'resolved', 'closed'])('%s: no reminder, no more requests', async (status) => {
    templatesKnown()
    const page = await openIssue(mine({ status }))
    expect(page.data.canRemind).toBe(false)
    expect(requestsMade(wx)).toEqual(['GET /api/v1/issues/3'])
  })

  test('without the template id (config unreadable) there is no button', async () => {
    server.on('GET /api/v1/config', { fail: 'timeout' })
    const page = await openIssue(mine({ status: 'accepted' }))
    expect(page.data.canRemind).toBe(false)
    expect(listedMine()).toBe(false)
  })

  test('the button goes once the issue is resolved', async () => {
    templatesKnown()
    const resolved = mine({ status: 'resolved', actions: ['confirm', 'reopen'] })
    server.on(TRANSITIONS, { status: 200, body: resolved })
    const page = await openIssue(mine({ status: 'accepted', actions: ['resolve'] }))
    expect(page.data.canRemind).toBe(true)
    await page.openAction(tap({ action: 'resolve' }))
    page.onFormInput(input('note', '已更换灯泡'))
    await page.submitAction()
    expect(page.data.canRemind).toBe(false)
    expect(buttons(page)).toEqual(['确认完成', '重新打开'])
  })

  test("the transition's answer says whether I am the reporter", async () => {
    templatesKnown()
    // A reporter who may also accept (a liaison filing for a neighbour in their unit).
    server.on(TRANSITIONS, { status: 200, body: mine({ status: 'accepted', actions: ['refer', 'resolve'] }) })
    const page = await openIssue(mine({ status: 'submitted', actions: ['accept'] }))
    expect(page.data.canRemind).toBe(false)
    await page.openAction(tap({ action: 'accept' }))
    expect(page.data.canRemind).toBe(true)
    expect(listedMine()).toBe(false)
  })
})

describe('新报事提醒我 after handling', () => {
  const STATUS = 'GET /api/v1/me/subscriptions'
  const SUBSCRIBE = 'POST /api/v1/me/subscriptions'
  const accepted = () => issueDetail({ status: 'accepted', status_label: '处理中', actions: ['refer', 'resolve'] })

  async function accept(left, options) {
    server.on(TRANSITIONS, { status: 200, body: accepted() })
    server.on(STATUS, { status: 200, body: pushStatus(left, options) })
    const page = await openIssue(issueDetail({ actions: ['accept', 'reject'] }))
    await page.openAction(tap({ action: 'accept' }))
    return page
  }

  test('with 2 or fewer left, the success state offers the tap; WeChat is not asked by itself', async () => {
    const page = await accept({ new_issue: 2, reminder: 5 })
    expect(page.data.handlerOffer).toMatchObject({
      line: '还能收到 2 条新报事提醒 / 5 条催办提醒',
      tmplIds: ['tmpl-new', 'tmpl-remind'],
    })
    expect(wx.requestSubscribeMessage).not.toHaveBeenCalled()
    expect(requestsMade(wx)).toEqual(['GET /api/v1/issues/3', TRANSITIONS, STATUS])
  })

  test('the tap asks WeChat inside the tap, posts, and the offer goes once enough are left', async () => {
    server.on(SUBSCRIBE, { status: 200, body: pushStatus({ new_issue: 3, reminder: 6 }) })
    const page = await accept({ new_issue: 2, reminder: 5 })
    const tapped = page.remindMeOfNew()
    expect(wx.requestSubscribeMessage).toHaveBeenCalledWith(
      expect.objectContaining({ tmplIds: ['tmpl-new', 'tmpl-remind'] })
    )
    await tapped
    expect(sentBody(wx, SUBSCRIBE)).toEqual({ accepted: ['tmpl-new', 'tmpl-remind'] })
    expect(page.data.handlerOffer).toBeNull()
    expect(wx.showToast).toHaveBeenLastCalledWith({ title: '已开启提醒', icon: 'success' })
  })

  test('still low after a tap: the offer stays with the new count', async () => {
    server.on(SUBSCRIBE, { status: 200, body: pushStatus({ new_issue: 1, reminder: 9 }) })
    const page = await accept({ new_issue: 0, reminder: 8 })
    await page.remindMeOfNew()
    expect(page.data.handlerOffer.line).toBe('还能收到 1 条新报事提醒 / 9 条催办提醒')
  })

  test.each([
    ['plenty left', { new_issue: 3, reminder: 3 }, {}],
    ['the official account pushes both', {}, { linked: true, channels: { new_issue: 'official_account', reminder: 'official_account' } }],
  ])('%s: no offer', async (_, left, options) => {
    const page = await accept(left, options)
    expect(page.data.handlerOffer).toBeNull()
  })

  test.each(['refer', 'resolve', 'reject'])('offered after %s too', async (action) => {
    server.on(TRANSITIONS, { status: 200, body: issueDetail({ status: 'referred' }) })
    server.on(STATUS, { status: 200, body: pushStatus({ new_issue: 1, reminder: 1 }) })
    const page = await openIssue(issueDetail({ status: 'accepted', actions: ['refer', 'resolve', 'reject'] }))
    await page.openAction(tap({ action }))
    page.onFormInput(input('note', '已处理'))
    page.onFormInput(input('referral_body', '街道城管科'))
    page.onFormInput({ currentTarget: { dataset: { field: 'follow_up_on' } }, detail: { value: '2024-12-06' } })
    await page.submitAction()
    expect(requestsMade(wx)).toContain(STATUS)
    expect(page.data.handlerOffer).not.toBeNull()
  })

  test("the reporter's own confirmation is not handling: nothing is asked", async () => {
    server.on(TRANSITIONS, { status: 200, body: issueDetail({ status: 'closed' }) })
    server.on(STATUS, { status: 200, body: pushStatus({}) })
    const page = await openIssue(issueDetail({ status: 'resolved', actions: ['confirm', 'reopen'] }))
    await page.openAction(tap({ action: 'confirm' }))
    page.setRating(tap({ value: 5 }))
    await page.submitAction()
    expect(requestsMade(wx)).not.toContain(STATUS)
    expect(page.data.handlerOffer).toBeNull()
  })

  test('counts that cannot be read: no offer, the action still succeeded', async () => {
    server.on(TRANSITIONS, { status: 200, body: accepted() })
    server.on(STATUS, { fail: 'timeout' })
    const page = await openIssue(issueDetail({ actions: ['accept'] }))
    await page.openAction(tap({ action: 'accept' }))
    expect(page.data.handlerOffer).toBeNull()
    expect(page.data.issue.statusLabel).toBe('处理中')
  })
})
