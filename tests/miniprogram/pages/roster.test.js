/**
 * @jest-environment node
 *
 * 导入房屋名册: the template downloaded and opened, a file chosen from a chat and
 * checked at once (dry run), each problem as "第 N 行 建筑面积：…", then
 * 确认导入 after a confirmation, and what was done.
 */
const { installWx, requestsMade, signedIn, cancelModal } = require('../helpers/wx')
const { createPage } = require('../helpers/page')
const { COMMITTEE, SUPERVISOR, COMMITTEE_ROLE } = require('../helpers/fixtures')

const CHECK = 'POST /api/v1/compounds/yangguang/roster?dry_run=true'
const LOAD = 'POST /api/v1/compounds/yangguang/roster?dry_run=false'
const TEMPLATE = 'GET /api/v1/compounds/yangguang/roster/template.xlsx'

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  server.on('GET /api/v1/me', { status: 200, body: COMMITTEE })
  wx.openDocument = jest.fn((options) => setTimeout(() => options.success({}), 0))
  wx.chooseMessageFile = jest.fn((options) =>
    setTimeout(() => options.success({ tempFiles: [{ path: 'wxfile://tmp/名册.xlsx', name: '名册.xlsx', size: 2048 }] }), 0)
  )
})

const report = (extra = {}) =>
  Object.assign(
    {
      rows: 3,
      buildings: { create: 1 },
      units: { create: 2 },
      households: { create: 1, update: 2, unchanged: 0 },
      pending: 1,
      changes: [
        {
          label: '1-1-101',
          needs_confirmation: true,
          old_area_m2: '72.36',
          new_area_m2: '80.00',
          old_occupancy: 'occupied',
          new_occupancy: 'occupied',
          old_tenure: null,
          new_tenure: null,
          old_floor: 1,
          new_floor: 1,
          old_note: null,
          new_note: null,
        },
        {
          label: '1-1-102',
          needs_confirmation: false,
          old_area_m2: '72.36',
          new_area_m2: '72.36',
          old_occupancy: 'occupied',
          new_occupancy: 'occupied',
          old_tenure: null,
          new_tenure: 'rented',
          old_floor: 1,
          new_floor: 1,
          old_note: null,
          new_note: '一楼带小院',
          old_owner_key: null,
          new_owner_key: 'A01',
        },
      ],
      missing: [{ label: '1-2-201', occupancy: 'occupied', has_bills: true, has_people: true }],
      problems: [],
      applied: false,
      import_id: null,
      approval_id: null,
    },
    extra
  )

async function open(options = { compound: 'yangguang' }) {
  const page = createPage('roster')
  await page.onLoad(options)
  return page
}

test('the steps are in plain words and the compound comes from the overview', async () => {
  const page = await open()
  expect(page.data.steps[0]).toMatch(/^点「下载模板」/)
  expect(page.data.compounds).toEqual([{ code: 'yangguang', name: '阳光小区' }])
  expect(page.data.denied).toBe('')
})

test('下载模板 downloads with the bearer header and opens the workbook to forward', async () => {
  server.on(TEMPLATE, { status: 200, file: 'wxfile://tmp/roster-yangguang.xlsx' })
  const page = await open()
  await page.downloadTemplate()
  expect(wx.downloadFile.mock.calls[0][0].header.Authorization).toBe('Bearer valid-token')
  expect(wx.openDocument).toHaveBeenCalledWith(
    expect.objectContaining({ filePath: 'wxfile://tmp/roster-yangguang.xlsx', fileType: 'xlsx', showMenu: true })
  )
  expect(page.data.downloading).toBe(false)
})

test('a template that cannot be downloaded says so', async () => {
  server.on(TEMPLATE, { fail: 'timeout' })
  const page = await open()
  await page.downloadTemplate()
  expect(wx.openDocument).not.toHaveBeenCalled()
  expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '网络不给力，请稍后再试' }))
})

test('a template the server refuses speaks of the template, not of a photo', async () => {
  server.on(TEMPLATE, { status: 403 })
  const page = await open()
  await page.downloadTemplate()
  expect(wx.openDocument).not.toHaveBeenCalled()
  expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '模板没有下载下来，请稍后再试' }))
})

test('a chosen file is checked at once: counts, changes and the flats left out', async () => {
  server.on(CHECK, { status: 200, body: report() })
  const page = await open()
  await page.chooseFile()
  expect(wx.chooseMessageFile).toHaveBeenCalledWith(
    expect.objectContaining({ count: 1, type: 'file', extension: ['xlsx', 'csv'] })
  )
  expect(wx.uploadFile.mock.calls[0][0].filePath).toBe('wxfile://tmp/名册.xlsx')
  const view = page.data.report
  expect(page.data.fileName).toBe('名册.xlsx')
  expect(view.counts.map((c) => [c.label, c.value])).toEqual([
    ['新增房屋', 1],
    ['有变化', 2],
    ['没有变化', 0],
    ['问题', 0],
  ])
  expect(view.buildingsLine).toBe('将新建 1 栋楼、2 个单元')
  expect(view.pendingLine).toMatch(/^其中 1 户的面积或空置状态有变/)
  expect(view.changes).toEqual([
    { label: '1-1-101', text: '面积 72.36 → 80.00 m²', waits: true },
    { label: '1-1-102', text: '改为出租，备注已改，产权人编号已改', waits: false },
  ])
  expect(view.missing).toEqual([{ label: '1-2-201', text: '1-2-201（有住户绑定、有账单）' }])
  expect(view.canImport).toBe(true)
})

test('each problem reads as 第 N 行 column：message, and nothing can be imported', async () => {
  const problems = [
    { row: 5, column: '建筑面积(m²)', message: '建筑面积应为数字，如 72.36，这里是“abc”' },
    { row: 7, column: '单元', message: '请填写单元' },
  ]
  server.on(CHECK, { status: 200, body: report({ problems }) })
  const page = await open()
  await page.chooseFile()
  expect(page.data.report.problems.map((p) => p.text)).toEqual([
    '第 5 行 建筑面积：建筑面积应为数字，如 72.36，这里是“abc”',
    '第 7 行 单元：请填写单元',
  ])
  expect(page.data.report.canImport).toBe(false)
  await page.confirmImport()
  expect(requestsMade(wx)).not.toContain(LOAD)
  expect(wx.uploadFile).toHaveBeenCalledTimes(1)
})

test('a file the server cannot read says why under the file', async () => {
  server.on(CHECK, { status: 400, body: { code: 'bad_roster_file', message: '表头缺少：楼栋' } })
  const page = await open()
  await page.chooseFile()
  expect([page.data.report, page.data.checkError]).toEqual([null, '表头缺少：楼栋'])
})

test('a file over 5 MB is refused before it is sent', async () => {
  wx.chooseMessageFile = jest.fn((options) =>
    setTimeout(() => options.success({ tempFiles: [{ path: 'wxfile://big.xlsx', name: 'big.xlsx', size: 6e6 }] }), 0)
  )
  const page = await open()
  await page.chooseFile()
  expect(page.data.checkError).toBe('文件太大（超过 5 MB），请分成几个文件导入')
  expect(wx.uploadFile).not.toHaveBeenCalled()
})

test('a cancelled pick says nothing', async () => {
  wx.chooseMessageFile = jest.fn((options) => setTimeout(() => options.fail({ errMsg: 'chooseMessageFile:fail cancel' }), 0))
  const page = await open()
  await page.chooseFile()
  expect(wx.showToast).not.toHaveBeenCalled()
  expect(page.data.fileName).toBe('')
})

test('a pick refused for want of privacy consent says so about the file, not the camera', async () => {
  wx.chooseMessageFile = jest.fn((options) =>
    setTimeout(() => options.fail({ errMsg: 'chooseMessageFile:fail privacy permission is not authorized', errno: 104 }), 0)
  )
  const page = await open()
  await page.chooseFile()
  const [modal] = wx.showModal.mock.calls[0]
  expect(modal).toMatchObject({ title: '没有同意隐私保护指引', confirmText: '查看指引' })
  expect(modal.content).toMatch(/从聊天里选择文件/)
  expect(modal.content).not.toMatch(/相机|相册|照片/)
  expect(wx.uploadFile).not.toHaveBeenCalled()
})

test('确认导入 asks first, then says what was done and that area changes wait', async () => {
  server.on(CHECK, { status: 200, body: report() })
  server.on(LOAD, { status: 200, body: report({ applied: true, import_id: 4, approval_id: 9 }) })
  const page = await open()
  await page.chooseFile()
  await page.confirmImport()
  const asked = wx.showModal.mock.calls[0][0]
  expect(asked.title).toBe('确认导入')
  expect(asked.content).toBe(
    '将新增 1 户、更新 2 户。其中 1 户的面积或空置变更，要另一位委员确认后才生效。文件里没有写到的房屋会保留，不会删除。'
  )
  expect(page.data.result).toBe("已导入：新增 1 户，更新 2 户；面积变更需另一位委员在「待确认」中确认后生效")
  expect(page.data.approvalId).toBe(9)
  page.goConfirm()
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/confirm/index' })
  await page.confirmImport() // already done: nothing more is sent
  expect(wx.uploadFile).toHaveBeenCalledTimes(2)
})

test('answering 再看看 loads nothing', async () => {
  server.on(CHECK, { status: 200, body: report() })
  const page = await open()
  await page.chooseFile()
  cancelModal(wx)
  await page.confirmImport()
  expect(wx.uploadFile).toHaveBeenCalledTimes(1)
  expect(page.data.result).toBe('')
})

test('a refused load is told in a dialog and the report stays', async () => {
  server.on(CHECK, { status: 200, body: report() })
  server.on(LOAD, { status: 409, body: { code: 'compound_archived', message: '本小区已归档，只能查看' } })
  const page = await open()
  await page.chooseFile()
  await page.confirmImport()
  expect(wx.showModal.mock.calls[1][0]).toMatchObject({ title: '没有导入', content: '本小区已归档，只能查看' })
  expect(page.data.result).toBe('')
  expect(page.data.report.canImport).toBe(true)
})

test('a load refused as roster_invalid (the flats changed since the check) shows its problems', async () => {
  const problems = [{ row: 4, column: '房号', message: '房号重复：1-1-101' }]
  server.on(CHECK, { status: 200, body: report() })
  server.on(LOAD, {
    status: 400,
    body: {
      code: 'roster_invalid',
      message: '名册里有 1 处问题，没有导入任何内容。请改正后重新上传',
      report: report({ problems }),
    },
  })
  const page = await open()
  await page.chooseFile()
  await page.confirmImport()
  expect(wx.showModal.mock.calls[1][0]).toMatchObject({
    title: '没有导入',
    content: '名册里有 1 处问题，没有导入任何内容。请改正后重新上传（问题列在页面下方）',
  })
  expect(page.data.report.problems.map((p) => p.text)).toEqual(['第 4 行 房号：房号重复：1-1-101'])
  expect(page.data.report.canImport).toBe(false)
  expect(page.data.result).toBe('')
})

test('someone not on a committee is told once', async () => {
  server.on('GET /api/v1/me', { status: 200, body: SUPERVISOR })
  const page = await open()
  expect(page.data.denied).toBe('只有业委会成员可以导入房屋名册。')
})

test('of two compounds, the one the overview named is picked; changing it clears the file', async () => {
  const other = Object.assign({}, COMMITTEE_ROLE, { compound: 'hongqi', compound_name: '红旗小区' })
  server.on('GET /api/v1/me', { status: 200, body: Object.assign({}, COMMITTEE, { roles: [COMMITTEE_ROLE, other] }) })
  server.on('POST /api/v1/compounds/hongqi/roster?dry_run=true', { status: 200, body: report() })
  const page = await open({ compound: 'hongqi' })
  expect(page.data.compoundIndex).toBe(1)
  await page.chooseFile()
  expect(page.data.report).not.toBeNull()
  page.onCompoundChange({ detail: { value: '0' } })
  expect([page.data.compoundIndex, page.data.report, page.data.fileName]).toEqual([0, null, ''])
})
