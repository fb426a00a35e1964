/**
 * @jest-environment node
 */
const { installWx, requestsMade, sentBody, pickPhotos, signedIn } = require('../helpers/wx')
const { createPage, input } = require('../helpers/page')
const { role, RESIDENT, LIAISON, COMPOUND, CONFIG, issueDetail, validationError } = require('../helpers/fixtures')

let wx, server, uploads

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  uploads = 40
  server.on('GET /api/v1/me', { status: 200, body: RESIDENT })
  server.on('GET /api/v1/config', { status: 200, body: CONFIG })
  server.on('GET /api/v1/compounds/yangguang', { status: 200, body: COMPOUND })
  server.on('POST /api/v1/me/subscriptions', { status: 200, body: { quotas: { 'tmpl-status': 1 } } })
  server.on('POST /api/v1/issues', { status: 201, body: issueDetail({ id: 3 }) })
  server.on('POST /api/v1/uploads', () => ({
    status: 201,
    body: { id: ++uploads, content_type: 'image/jpeg', width: 800, height: 600, size_bytes: 90000 },
  }))
})

const change = (value) => ({ detail: { value } })

// The 报事 tab, or (name 'report-for') 代居民报事.
async function openPage(options = {}, name = 'report') {
  const page = createPage(name)
  await page.onLoad(options)
  return page
}

// A valid report: 报修, a title and a two-line description, about 我家.
async function filledForm(options, name) {
  const page = await openPage(options, name)
  page.onCategoryChange(change('0'))
  page.onInput(input('title', ' 楼道灯不亮 '))
  page.onInput(input('description', '三楼的灯坏了\r\n晚上很黑'))
  return page
}

const postsMade = () => requestsMade(wx).filter((r) => r.startsWith('POST'))

test('offers the categories from the config and places from my household', async () => {
  const page = await openPage()
  expect(page.data.categories.map((c) => c.label)).toEqual(['报修', '安全隐患', '矛盾纠纷', '困难帮扶', '建议', '其他'])
  expect(page.data.places.map((p) => p.label)).toEqual(['我家 1-2-301', '本单元 1号楼2单元', '小区公共区域'])
  expect(page.data.places.map((p) => p.body)).toEqual([
    { household_id: 11 },
    { unit_id: 5 },
    { compound: 'yangguang' },
  ])
  expect(page.data.placeIndex).toBe(0)
  expect(page.data.showName).toBe(false)
  expect(page.data.canFileForOthers).toBe(false)
})

test('without the config it keeps the fixed categories and asks no subscription', async () => {
  server.on('GET /api/v1/config', { status: 503, body: { code: 'x', message: '服务暂时不可用' } })
  const page = await filledForm()
  expect(page.data.categories[0]).toEqual({ value: 'repair', label: '报修' })
  await page.submit()
  expect(wx.requestSubscribeMessage).not.toHaveBeenCalled()
  expect(postsMade()).toEqual(['POST /api/v1/issues'])
})

test('without a compound structure it offers only 我家 and the common area', async () => {
  server.on('GET /api/v1/compounds/yangguang', { status: 404, body: { code: 'nf', message: '找不到' } })
  const page = await openPage()
  expect(page.data.places.map((p) => p.label)).toEqual(['我家 1-2-301', '小区公共区域'])
})

test('bad input is stopped before any request or subscription prompt', async () => {
  const page = await openPage()
  const before = requestsMade(wx).length
  page.onInput(input('title', '   '))
  page.onInput(input('description', ''))
  await page.submit()
  expect(page.data.errors).toEqual({ category: '请选择类别', title: '请填写标题', description: '请描述一下问题' })
  page.onCategoryChange(change('0'))
  page.onInput(input('title', '灯'.repeat(31)))
  page.onInput(input('description', '坏'.repeat(1001)))
  await page.submit()
  expect(page.data.errors).toEqual({ title: '最多 30 个字', description: '最多 1000 个字' })
  page.onInput(input('title', '楼道\n灯'))
  await page.submit()
  expect(page.data.errors.title).toBe('不能包含换行或控制字符')
  expect(requestsMade(wx)).toHaveLength(before)
  expect(wx.requestSubscribeMessage).not.toHaveBeenCalled()
  expect(wx.uploadFile).not.toHaveBeenCalled()
})

test('typing in a field clears its error', async () => {
  const page = await openPage()
  await page.submit()
  page.onInput(input('title', '灯'))
  expect(page.data.errors.title).toBeUndefined()
  expect(page.data.errors.description).toBe('请描述一下问题')
})

test('submit asks for subscriptions first, records them, then reports and opens the issue', async () => {
  const page = await filledForm()
  pickPhotos(wx, [
    { tempFilePath: 'wxfile://tmp/a.jpg', size: 200000 },
    { tempFilePath: 'wxfile://tmp/b.jpg', size: 300000 },
  ])
  await page.choosePhotos()
  page.onShowNameChange(change(true))

  const sending = page.submit()
  // Straight from the tap, before any await: WeChat shows the dialog only then.
  expect(wx.requestSubscribeMessage).toHaveBeenCalledWith(
    expect.objectContaining({ tmplIds: ['tmpl-status', 'tmpl-visit'] })
  )
  expect(postsMade()).toEqual([])
  await sending

  expect(postsMade()).toEqual(['POST /api/v1/me/subscriptions', 'POST /api/v1/issues'])
  expect(sentBody(wx, 'POST /api/v1/me/subscriptions')).toEqual({ accepted: ['tmpl-status', 'tmpl-visit'] })
  expect(sentBody(wx, 'POST /api/v1/issues')).toEqual({
    category: 'repair',
    title: '楼道灯不亮',
    description: '三楼的灯坏了\n晚上很黑',
    photos: [41, 42],
    show_name: true,
    household_id: 11,
  })
  // 报事 is a tab page and stays open: the issue opens over it, the form is emptied.
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/issue/index?id=3' })
  expect(page.data).toMatchObject({ title: '', description: '', categoryIndex: -1, photos: [], showName: false })
})

test('only the templates the user accepted are recorded', async () => {
  wx.requestSubscribeMessage.mockImplementation((o) =>
    setTimeout(() => o.success({ 'tmpl-status': 'accept', 'tmpl-visit': 'reject' }), 0)
  )
  const page = await filledForm()
  await page.submit()
  expect(sentBody(wx, 'POST /api/v1/me/subscriptions')).toEqual({ accepted: ['tmpl-status'] })
})

test('refusing every template records nothing and still reports', async () => {
  wx.requestSubscribeMessage.mockImplementation((o) =>
    setTimeout(() => o.success({ 'tmpl-status': 'reject', 'tmpl-visit': 'reject' }), 0)
  )
  const page = await filledForm()
  await page.submit()
  expect(postsMade()).toEqual(['POST /api/v1/issues'])
})

test('a failed subscription step does not block reporting', async () => {
  wx.requestSubscribeMessage.mockImplementation((o) => setTimeout(() => o.fail({ errMsg: 'fail' }), 0))
  const page = await filledForm()
  await page.submit()
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/issue/index?id=3' })

  server.on('POST /api/v1/me/subscriptions', {
    status: 500,
    body: { code: 'internal_error', message: '出错了' },
  })
  wx.requestSubscribeMessage.mockImplementation((o) =>
    setTimeout(() => o.success({ 'tmpl-status': 'accept' }), 0)
  )
  const again = await filledForm()
  await again.submit()
  expect(postsMade().slice(-2)).toEqual(['POST /api/v1/me/subscriptions', 'POST /api/v1/issues'])
  expect(wx.navigateTo).toHaveBeenCalledTimes(2)
  expect(wx.showToast).not.toHaveBeenCalledWith(expect.objectContaining({ title: '出错了' }))
})

test("the server's field errors are shown next to the fields", async () => {
  server.on('POST /api/v1/issues', validationError({ title: ['最多 30 个字'], unit_id: ['找不到'] }))
  const page = await filledForm()
  await page.submit()
  expect(page.data.errors).toEqual({ title: '最多 30 个字', location: '找不到' })
  expect(page.data.submitting).toBe(false)
  expect(wx.navigateTo).not.toHaveBeenCalled()
})

test('other server errors are shown as a toast', async () => {
  server.on('POST /api/v1/issues', {
    status: 403,
    body: { code: 'not_your_unit', message: '只能为自己所在的单元报事' },
  })
  const page = await filledForm()
  await page.submit()
  expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '只能为自己所在的单元报事' }))
})

test('the place picked decides where the report is about', async () => {
  const page = await filledForm()
  page.onPlaceChange(change('1'))
  await page.submit()
  const body = sentBody(wx, 'POST /api/v1/issues')
  expect(body.unit_id).toBe(5)
  expect(body).not.toHaveProperty('household_id')
})

test('photos upload one by one; a refused one can be removed before sending', async () => {
  server.on(
    'POST /api/v1/uploads',
    { status: 201, body: { id: 51 } },
    { status: 413, body: { code: 'upload_too_large', message: '照片不能超过 5 MB' } }
  )
  const page = await filledForm()
  pickPhotos(wx, [
    { tempFilePath: 'wxfile://tmp/a.jpg', size: 1000 },
    { tempFilePath: 'wxfile://tmp/b.jpg', size: 1000 },
  ])
  await page.choosePhotos()
  expect(wx.chooseMedia).toHaveBeenCalledWith(
    expect.objectContaining({ count: 9, mediaType: ['image'], sizeType: ['compressed'] })
  )
  expect(page.data.photos.map((p) => [p.status, p.id, p.error])).toEqual([
    ['done', 51, ''],
    ['failed', 0, '照片不能超过 5 MB'],
  ])
  await page.submit()
  expect(page.data.errors.photos).toBe('有照片没有传上去，请点它重试或删除')
  expect(wx.uploadFile).toHaveBeenCalledTimes(2)
  expect(postsMade()).toEqual([])

  // Deleting a photo is asked first (the stub answers 删除).
  await page.removePhoto({ currentTarget: { dataset: { key: page.data.photos[1].key } } })
  expect(wx.showModal).toHaveBeenCalledWith(
    expect.objectContaining({ title: '删除这张照片？', confirmText: '删除', cancelText: '不删' })
  )
  await page.submit()
  expect(sentBody(wx, 'POST /api/v1/issues').photos).toEqual([51])
})

test('a photo over 5 MB is refused without uploading; only what is left of 9 can be picked', async () => {
  const page = await filledForm()
  pickPhotos(wx, [{ tempFilePath: 'wxfile://tmp/big.jpg', size: 6 * 1024 * 1024 }])
  await page.choosePhotos()
  expect(page.data.photos[0]).toMatchObject({ status: 'failed', error: '照片不能超过 5 MB' })
  expect(wx.uploadFile).not.toHaveBeenCalled()
  await page.choosePhotos() // cancelled: nothing changes
  expect(wx.chooseMedia.mock.calls[1][0].count).toBe(8)
  expect(page.data.photos).toHaveLength(1)
})

// GET /units/7/households: unit 1-3's flats, one of them empty.
const ROOMS = {
  items: [
    { id: 31, room: '101', floor: 1, label: '1-3-101', occupancy: 'occupied' },
    { id: 32, room: '102', floor: 1, label: '1-3-102', occupancy: 'vacant' },
    { id: 33, room: '201', floor: 2, label: '1-3-201', occupancy: 'occupied' },
  ],
}
const ROOMS_1_1 = { items: [{ id: 21, room: '101', floor: 1, label: '1-1-101', occupancy: 'occupied' }] }

// A liaison of two units: 1-3 (id 7) and 1-1 (id 4).
const TWO_UNITS = Object.assign({}, LIAISON, {
  roles: LIAISON.roles.concat(role('liaison', 'unit', 4, '1-1')),
})

// The name input clears the error of the server's field name (data-error).
const typed = (field, error, value) => ({ currentTarget: { dataset: { field, error } }, detail: { value } })
const unitsAsked = () => requestsMade(wx).filter((r) => r.startsWith('GET /api/v1/units/'))

test('a liaison can file for a neighbour: name and a room of their unit instead of a place', async () => {
  server.on('GET /api/v1/me', { status: 200, body: LIAISON })
  server.on('GET /api/v1/units/7/households', { status: 200, body: ROOMS })
  const page = await filledForm({}, 'report-for')
  expect(page.data.canFileForOthers).toBe(true)
  expect(page.data.onBehalf).toBe(true)
  expect(page.data.places.map((p) => p.label)).toContain('1号楼3单元（我负责）')
  // Their only unit is chosen for them and its rooms are loaded.
  expect(page.data.units).toEqual([{ id: 7, label: '1号楼3单元' }])
  expect(page.data.unitIndex).toBe(0)
  expect(unitsAsked()).toEqual(['GET /api/v1/units/7/households'])
  expect(page.data.rooms.map((r) => r.label)).toEqual(['1-3-101', '1-3-102（空置）', '1-3-201'])

  await page.submit()
  expect(page.data.errors).toEqual({
    on_behalf_name: '请填写居民的称呼，如 王奶奶',
    household_id: '请选择居民所在的房间',
  })
  expect(postsMade()).toEqual([])

  page.onInput(typed('onBehalfName', 'on_behalf_name', '王奶奶'))
  page.onRoomChange(change('1'))
  expect(page.data.errors).toEqual({})
  await page.submit()
  expect(sentBody(wx, 'POST /api/v1/issues')).toEqual({
    category: 'repair',
    title: '楼道灯不亮',
    description: '三楼的灯坏了\n晚上很黑',
    photos: [],
    show_name: false,
    household_id: 32,
    on_behalf_name: '王奶奶',
  })
})

test('choosing a unit loads its rooms; choosing another starts the room over', async () => {
  server.on('GET /api/v1/me', { status: 200, body: TWO_UNITS })
  server.on('GET /api/v1/units/7/households', { status: 200, body: ROOMS })
  server.on('GET /api/v1/units/4/households', { status: 200, body: ROOMS_1_1 })
  const page = await filledForm({}, 'report-for')
  expect(page.data.units.map((u) => u.label)).toEqual(['1号楼3单元', '1号楼1单元'])
  expect(page.data.unitIndex).toBe(-1)
  expect(unitsAsked()).toEqual([])

  const loading = page.onUnitChange(change('1'))
  expect(page.data.roomsLoading).toBe(true)
  await loading
  expect(unitsAsked()).toEqual(['GET /api/v1/units/4/households'])
  expect(page.data.roomsLoading).toBe(false)
  expect(page.data.rooms).toEqual([{ id: 21, label: '1-1-101' }])
  page.onRoomChange(change('0'))

  await page.onUnitChange(change('0'))
  expect(unitsAsked()).toEqual(['GET /api/v1/units/4/households', 'GET /api/v1/units/7/households'])
  expect(page.data.roomIndex).toBe(-1)
  expect(page.data.rooms.map((r) => r.id)).toEqual([31, 32, 33])

  page.onInput(typed('onBehalfName', 'on_behalf_name', '张爷爷'))
  page.onRoomChange(change('2'))
  await page.submit()
  expect(sentBody(wx, 'POST /api/v1/issues')).toMatchObject({ household_id: 33, on_behalf_name: '张爷爷' })
})

test('no unit or no room chosen: nothing is sent', async () => {
  server.on('GET /api/v1/me', { status: 200, body: TWO_UNITS })
  server.on('GET /api/v1/units/7/households', { status: 200, body: ROOMS })
  const page = await filledForm({}, 'report-for')
  page.onInput(typed('onBehalfName', 'on_behalf_name', '王奶奶'))
  await page.submit()
  expect(page.data.errors).toEqual({ household_id: '请选择居民所在的房间' })
  await page.onUnitChange(change('0'))
  expect(page.data.errors).toEqual({})
  await page.submit()
  expect(page.data.errors).toEqual({ household_id: '请选择居民所在的房间' })
  expect(postsMade()).toEqual([])
  expect(wx.requestSubscribeMessage).not.toHaveBeenCalled()
})

test("a refused rooms request shows the server's message and offers no room", async () => {
  server.on('GET /api/v1/me', { status: 200, body: LIAISON })
  server.on('GET /api/v1/units/7/households', {
    status: 403,
    body: { code: 'not_a_handler', message: '只有本单元联络人、楼栋长或业委会可以查看' },
  })
  const page = await filledForm({}, 'report-for')
  expect(page.data.roomsError).toBe('只有本单元联络人、楼栋长或业委会可以查看')
  expect(page.data.roomsRetry).toBe(false)
  expect(page.data.rooms).toEqual([])
  expect(page.data.error).toBe('')
  page.onInput(typed('onBehalfName', 'on_behalf_name', '王奶奶'))
  await page.submit()
  expect(page.data.errors).toEqual({ household_id: '请选择居民所在的房间' })
  expect(postsMade()).toEqual([])
})

test('rooms that failed to load for the network can be asked again', async () => {
  server.on('GET /api/v1/me', { status: 200, body: LIAISON })
  server.on('GET /api/v1/units/7/households', { fail: 'timeout' }, { status: 200, body: ROOMS })
  const page = await openPage({}, 'report-for')
  expect(page.data.roomsError).toBe('网络不给力，请稍后再试')
  expect(page.data.roomsRetry).toBe(true)
  await page.retryRooms()
  expect(page.data.roomsError).toBe('')
  expect(page.data.rooms).toHaveLength(3)
})

test('on the 报事 tab a liaison reports as a resident; 代居民报事 opens its own page', async () => {
  server.on('GET /api/v1/me', { status: 200, body: LIAISON })
  server.on('GET /api/v1/units/7/households', { status: 200, body: ROOMS })
  const page = await filledForm()
  expect(page.data.canFileForOthers).toBe(true)
  expect(page.data.onBehalf).toBe(false)
  expect(unitsAsked()).toEqual([])
  page.goFileForOthers()
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/report-for/index' })
  expect(wx.switchTab).not.toHaveBeenCalled()
  await page.submit()
  expect(sentBody(wx, 'POST /api/v1/issues')).toMatchObject({ household_id: 11 })
  expect(sentBody(wx, 'POST /api/v1/issues')).not.toHaveProperty('on_behalf_name')
})

test('sent for a neighbour: the issue takes the page\'s place, 返回 goes back to 工作台', async () => {
  server.on('GET /api/v1/me', { status: 200, body: LIAISON })
  server.on('GET /api/v1/units/7/households', { status: 200, body: ROOMS })
  const page = await filledForm({}, 'report-for')
  page.onInput(typed('onBehalfName', 'on_behalf_name', '王奶奶'))
  page.onRoomChange(change('0'))
  await page.submit()
  expect(wx.redirectTo).toHaveBeenCalledWith({ url: '/pages/issue/index?id=3' })
  expect(wx.navigateTo).not.toHaveBeenCalled()
  // The 报事 tab, opened afterwards, is the liaison's own form.
  const tab = await filledForm()
  expect(tab.data.onBehalf).toBe(false)
  await tab.submit()
  expect(sentBody(wx, 'POST /api/v1/issues')).toMatchObject({ household_id: 11 })
  expect(sentBody(wx, 'POST /api/v1/issues')).not.toHaveProperty('on_behalf_name')
})

test('a building lead chooses among the units of their building, from the compound structure', async () => {
  server.on('GET /api/v1/me', {
    status: 200,
    body: { id: 3, nickname: '赵楼长', roles: [role('building_lead', 'building', 2, '1')], households: [] },
  })
  server.on('GET /api/v1/units/5/households', { status: 200, body: ROOMS_1_1 })
  const page = await openPage({}, 'report-for')
  expect(requestsMade(wx)).toContain('GET /api/v1/compounds/yangguang')
  expect(page.data.units).toEqual([
    { id: 4, label: '1号楼1单元' },
    { id: 5, label: '1号楼2单元' },
    { id: 7, label: '1号楼3单元' },
  ])
  await page.onUnitChange(change('1'))
  expect(unitsAsked()).toEqual(['GET /api/v1/units/5/households'])
})

test("the server's household_id error is shown under the room, not the place", async () => {
  server.on('GET /api/v1/me', { status: 200, body: LIAISON })
  server.on('GET /api/v1/units/7/households', { status: 200, body: ROOMS })
  server.on('POST /api/v1/issues', validationError({ household_id: ['该房屋不在您负责的范围内'] }))
  const page = await filledForm({}, 'report-for')
  page.onInput(typed('onBehalfName', 'on_behalf_name', '王奶奶'))
  page.onRoomChange(change('0'))
  await page.submit()
  expect(page.data.errors).toEqual({ household_id: '该房屋不在您负责的范围内' })
  page.onRoomChange(change('1'))
  expect(page.data.errors).toEqual({})
})

test('a resident who reaches 代居民报事 is told only volunteers can; the tab has no entry for it', async () => {
  const page = await openPage({}, 'report-for')
  expect(page.data.empty).toBe(true)
  expect(unitsAsked()).toEqual([])
  const tab = await openPage()
  expect(tab.data.canFileForOthers).toBe(false)
})

// WeChat runs a tab page's onLoad once; every later visit is onShow only.
describe('the 报事 tab shown again', () => {
  const NOBODY = { id: 1, nickname: '王阿姨', roles: [], households: [] }

  test('opened before binding, shown again after binding: the form, not 绑定房屋后才能报事', async () => {
    server.on('GET /api/v1/me', { status: 200, body: NOBODY }, { status: 200, body: RESIDENT })
    // First visit: WeChat calls onLoad, then onShow at once.
    const page = createPage('report')
    const loading = page.onLoad({})
    await page.onShow()
    await loading
    expect(page.data.empty).toBe(true)
    await page.onShow()
    expect(page.data.empty).toBe(false)
    expect(page.data.places.map((p) => p.label)).toEqual(['我家 1-2-301', '本单元 1号楼2单元', '小区公共区域'])
  })

  test('a failed start is tried again when the tab is shown again', async () => {
    const down = { status: 503, body: { code: 'database_unavailable', message: '服务暂时不可用' } }
    server.on('GET /api/v1/me', down, { status: 200, body: RESIDENT })
    const page = await openPage()
    expect(page.data.error).toBe('服务暂时不可用')
    await page.onShow()
    expect(page.data.error).toBe('')
    expect(page.data.places).toHaveLength(3)
  })

  test('what was typed and the place chosen stay; a role given meanwhile shows up', async () => {
    const liaison = Object.assign({}, RESIDENT, { roles: [role('liaison', 'unit', 7, '1-3')].concat(RESIDENT.roles) })
    server.on('GET /api/v1/me', { status: 200, body: RESIDENT }, { status: 200, body: liaison })
    const page = await filledForm()
    page.onPlaceChange(change('1'))
    await page.onShow()
    expect(page.data.canFileForOthers).toBe(true)
    expect(page.data.units.map((u) => u.label)).toEqual(['1号楼3单元'])
    expect(page.data.title).toBe(' 楼道灯不亮 ')
    expect(page.data.categoryIndex).toBe(0)
    expect(page.data.places[page.data.placeIndex].label).toBe('本单元 1号楼2单元')
  })

  test('pulled down, it reads the flats again', async () => {
    server.on('GET /api/v1/me', { status: 200, body: NOBODY }, { status: 200, body: RESIDENT })
    const page = await openPage()
    expect(page.data.empty).toBe(true)
    await page.onPullDownRefresh()
    expect(page.data.empty).toBe(false)
    expect(wx.stopPullDownRefresh).toHaveBeenCalled()
  })
})
