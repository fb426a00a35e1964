/**
 * @jest-environment node
 */
const { installWx, requestsMade, signedIn } = require('../helpers/wx')
const { createPage, tap, input } = require('../helpers/page')

const COMPOUND = {
  code: 'yangguang',
  name: '阳光小区',
  address: null,
  buildings: [
    { number: 1, name: null, units: [{ id: 1, number: 1 }, { id: 2, number: 2 }] },
    { number: 2, name: '2 号楼', units: [{ id: 3, number: 1 }] },
  ],
}
const PENDING = {
  id: 5,
  status: 'pending',
  name: '王阿姨',
  relation: 'owner',
  reason: null,
  household: { id: 11, label: '1-2-301', area_m2: '72.00' },
  created_at: '2024-05-01T09:30:00+08:00',
  decided_at: null,
}
const REJECTED = Object.assign({}, PENDING, { id: 4, status: 'rejected', reason: '房号不对' })

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  server.on('GET /api/v1/compounds/yangguang', { status: 200, body: COMPOUND })
  server.on('GET /api/v1/me/bindings', { status: 200, body: { items: [] } })
})

const sentBody = (route) => {
  const i = requestsMade(wx).indexOf(route)
  return i < 0 ? undefined : wx.request.mock.calls[i][0].data
}

// The bind page opened from a link with ?compound=yangguang, building 1, unit 2 picked.
async function openFilledForm() {
  const page = createPage('bind')
  await page.onLoad({ compound: 'yangguang' })
  page.onBuildingChange({ detail: { value: '0' } })
  page.onUnitChange({ detail: { value: '1' } })
  page.onInput(input('room', '301'))
  page.onInput(input('name', ' 王阿姨 '))
  page.onRelationChange({ detail: { value: '0' } })
  return page
}

test('the compound from the link loads its buildings and units for the pickers', async () => {
  const page = createPage('bind')
  await page.onLoad({ compound: 'yangguang' })
  expect(page.data.compoundName).toBe('阳光小区')
  expect(page.data.buildingNames).toEqual(['1 号楼', '2 号楼'])
  page.onBuildingChange({ detail: { value: '0' } })
  expect(page.data.unitNames).toEqual(['1 单元', '2 单元'])
  page.onBuildingChange({ detail: { value: '1' } })
  expect(page.data.unitIndex).toBe(0) // a single unit is picked for you
})

test('an unknown compound code shows the server message next to the field', async () => {
  server.on('GET /api/v1/compounds/nope', {
    status: 404,
    body: { code: 'compound_not_found', message: '找不到这个小区，请核对编号' },
  })
  const page = createPage('bind')
  await page.onLoad({})
  page.onCompoundInput({ detail: { value: 'nope' } })
  await page.loadCompound()
  expect(page.data.errors.compound).toBe('找不到这个小区，请核对编号')
  expect(page.data.buildings).toEqual([])
})

test('submitting sends the binding request and says it awaits review', async () => {
  server.on('POST /api/v1/bindings', { status: 201, body: PENDING })
  const page = await openFilledForm()
  server.on('GET /api/v1/me/bindings', { status: 200, body: { items: [PENDING] } })
  await page.submit()
  expect(sentBody('POST /api/v1/bindings')).toEqual({
    compound: 'yangguang',
    building: 1,
    unit: 2,
    room: '301',
    name: '王阿姨',
    relation: 'owner',
  })
  expect(page.data.notice).toBe('已提交，等待单元联络人审核')
  expect(page.data.requests).toEqual([
    {
      id: 5,
      status: 'pending',
      label: '1-2-301',
      summary: '王阿姨 · 业主 · 2024-05-01 09:30',
      reason: '',
      canCancel: true,
    },
  ])
})

test('invalid room and name are caught before any request', async () => {
  const page = await openFilledForm()
  page.onInput(input('room', '3a1'))
  page.onInput(input('name', '王\n阿姨'))
  await page.submit()
  expect(page.data.errors.room).toBe('房号应为数字，如 301')
  expect(page.data.errors.name).toBe('不能包含换行或控制字符')
  expect(requestsMade(wx)).not.toContain('POST /api/v1/bindings')
})

test('room longer than 6 digits, empty or over-long names are refused', async () => {
  const page = await openFilledForm()
  page.onInput(input('room', '1234567'))
  page.onInput(input('name', '   '))
  await page.submit()
  expect(page.data.errors).toMatchObject({ room: '房号应为数字，如 301', name: '请填写您的称呼' })
  page.onInput(input('name', '邻'.repeat(33)))
  await page.submit()
  expect(page.data.errors.name).toBe('最多 32 个字')
})

test('typing in a field clears its error', async () => {
  const page = await openFilledForm()
  page.onInput(input('room', 'x'))
  await page.submit()
  page.onInput(input('room', '302'))
  expect(page.data.errors.room).toBeUndefined()
})

test("the server's field errors are shown next to the fields", async () => {
  server.on('POST /api/v1/bindings', {
    status: 400,
    body: {
      code: 'validation_error',
      message: '提交的内容有误，请检查后重试',
      details: { location: 'json', fields: { room: ['该单元没有这个房号'] } },
    },
  })
  const page = await openFilledForm()
  await page.submit()
  expect(page.data.errors).toEqual({ room: '该单元没有这个房号' })
  expect(page.data.notice).toBe('')
  expect(page.data.submitting).toBe(false)
})

test('other server errors are shown as a toast with the server message', async () => {
  server.on('POST /api/v1/bindings', {
    status: 409,
    body: { code: 'binding_pending', message: '您对这一户的绑定申请正在审核中' },
  })
  const page = await openFilledForm()
  await page.submit()
  expect(wx.showToast).toHaveBeenCalledWith(
    expect.objectContaining({ title: '您对这一户的绑定申请正在审核中' })
  )
})

test('my requests show status, the reject reason, and 撤回 only while pending', async () => {
  server.on('GET /api/v1/me/bindings', { status: 200, body: { items: [PENDING, REJECTED] } })
  server.on('POST /api/v1/bindings/5/cancel', { status: 200, body: PENDING })
  const page = createPage('bind')
  await page.onLoad({})
  const [pending, rejected] = page.data.requests
  expect(rejected).toMatchObject({ status: 'rejected', reason: '拒绝理由：房号不对', canCancel: false })
  expect(pending.canCancel).toBe(true)
  await page.cancelRequest(tap({ id: 5 }))
  expect(requestsMade(wx)).toContain('POST /api/v1/bindings/5/cancel')
})

test('an invite code binds at once and goes back home', async () => {
  const user = { id: 1, roles: [], households: [{ id: 11, label: '1-2-301' }] }
  server.on('POST /api/v1/invites/redeem', {
    status: 200,
    body: { household: { id: 11, label: '1-2-301', area_m2: '72.00' }, user },
  })
  const page = createPage('bind')
  await page.onLoad({})
  page.switchMode(tap({ mode: 'invite' }))
  page.onInput(input('code', ' K7M2-Q9PX '))
  page.onInput(input('name', '王阿姨'))
  page.onRelationChange({ detail: { value: '2' } })
  await page.submit()
  expect(sentBody('POST /api/v1/invites/redeem')).toEqual({
    code: 'K7M2-Q9PX',
    name: '王阿姨',
    relation: 'family',
  })
  expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '绑定成功' }))
  expect(wx.navigateBack).toHaveBeenCalled()
  expect(wx.getStorageSync('user')).toEqual(user)
})

test('a wrong invite code shows the server message', async () => {
  server.on('POST /api/v1/invites/redeem', {
    status: 404,
    body: { code: 'invite_invalid', message: '邀请码无效或已过期' },
  })
  const page = createPage('bind')
  await page.onLoad({})
  page.switchMode(tap({ mode: 'invite' }))
  page.onInput(input('code', 'ABCD2345'))
  page.onInput(input('name', '王阿姨'))
  page.onRelationChange({ detail: { value: '0' } })
  await page.submit()
  expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '邀请码无效或已过期' }))
  expect(wx.navigateBack).not.toHaveBeenCalled()
})

test('an invite code that is too short is refused locally', async () => {
  const page = createPage('bind')
  await page.onLoad({})
  page.switchMode(tap({ mode: 'invite' }))
  page.onInput(input('code', 'AB'))
  await page.submit()
  expect(page.data.errors).toMatchObject({
    code: '请输入邀请码（4–20 位）',
    name: '请填写您的称呼',
    relation: '请选择与房屋的关系',
  })
  expect(requestsMade(wx)).not.toContain('POST /api/v1/invites/redeem')
})

describe('knowing the answer, and not flooding the reviewers', () => {
  const CONFIG = { subscribe_templates: { reminder: 'tmpl-reminder', new_issue: 'tmpl-new' } }

  test('sending a request asks once to be told the decision, straight from the tap', async () => {
    server.on('GET /api/v1/config', { status: 200, body: CONFIG })
    server.on('POST /api/v1/me/subscriptions', { status: 200, body: { quotas: {} } })
    server.on('POST /api/v1/bindings', { status: 201, body: PENDING })
    const page = await openFilledForm()
    const sent = page.submit()
    // WeChat shows the dialog only when asked before anything is awaited.
    expect(wx.requestSubscribeMessage).toHaveBeenCalledWith(
      expect.objectContaining({ tmplIds: ['tmpl-reminder'] })
    )
    await sent
    expect(sentBody('POST /api/v1/me/subscriptions')).toEqual({ accepted: ['tmpl-reminder'] })
    expect(requestsMade(wx)).toContain('POST /api/v1/bindings')
    expect(page.data.notice).toBe('已提交，等待单元联络人审核')
  })

  test('a refused subscription still sends the request', async () => {
    server.on('GET /api/v1/config', { status: 200, body: CONFIG })
    server.on('POST /api/v1/bindings', { status: 201, body: PENDING })
    wx.requestSubscribeMessage.mockImplementation((options) =>
      setTimeout(() => options.success({ 'tmpl-reminder': 'reject' }), 0)
    )
    const page = await openFilledForm()
    await page.submit()
    expect(requestsMade(wx)).not.toContain('POST /api/v1/me/subscriptions')
    expect(requestsMade(wx)).toContain('POST /api/v1/bindings')
  })

  test('an invalid form asks for no subscription', async () => {
    server.on('GET /api/v1/config', { status: 200, body: CONFIG })
    const page = await openFilledForm()
    page.onInput(input('room', ''))
    await page.submit()
    expect(wx.requestSubscribeMessage).not.toHaveBeenCalled()
  })

  test('three requests waiting: the form says so and 提交申请 is off', async () => {
    const waiting = [5, 6, 7].map((id) => Object.assign({}, PENDING, { id }))
    server.on('GET /api/v1/me/bindings', { status: 200, body: { items: waiting } })
    const page = createPage('bind')
    await page.onLoad({})
    expect(page.data.pendingFull).toBe(true)
    server.on('GET /api/v1/me/bindings', { status: 200, body: { items: waiting.slice(1) } })
    server.on('POST /api/v1/bindings/5/cancel', { status: 200, body: PENDING })
    await page.cancelRequest(tap({ id: 5 }))
    expect(page.data.pendingFull).toBe(false)
  })

  test("the server's limit is shown as it says it", async () => {
    server.on('POST /api/v1/bindings', {
      status: 409,
      body: {
        code: 'too_many_pending',
        message: '您已有 3 条绑定申请在审核中，请等审核结果或撤回一条后再申请',
        details: { limit: 3 },
      },
    })
    const page = await openFilledForm()
    await page.submit()
    expect(wx.showToast).toHaveBeenCalledWith(
      expect.objectContaining({ title: '您已有 3 条绑定申请在审核中，请等审核结果或撤回一条后再申请' })
    )
    expect(page.data.submitting).toBe(false)
  })

  test('a name with a zero-width space is refused before any request', async () => {
    const page = await openFilledForm()
    page.onInput(input('name', '王\u200b阿姨'))
    await page.submit()
    expect(page.data.errors.name).toBe('不能包含看不见的字符（如零宽空格），请删除后重新输入')
    expect(requestsMade(wx)).not.toContain('POST /api/v1/bindings')
  })
})
