/**
 * @jest-environment jsdom
 *
 * 住户登记表格 (from 住户登记覆盖): the committee downloads the template, picks
 * a table from a chat, reads the check (rows, new, updated, each problem by
 * row), then 确认导入 after a question; everyone who looks after households
 * exports their reach, masked unless they choose 包含完整电话和关爱标记, which
 * takes a reason and a confirmation that it is recorded. Liaisons and building
 * leads export only; residents and the supervisor are told who may.
 */
const { installWx, requestsMade, signedIn, cancelModal } = require('../helpers/wx')
const { createPage } = require('../helpers/page')
const { loadPage, renderPage, texts, sleep } = require('../helpers/render')
const { COMMITTEE, COMMITTEE_ROLE, LIAISON, RESIDENT, SUPERVISOR, role } = require('../helpers/fixtures')

const FILES = loadPage('census-files')
const TEMPLATE = 'GET /api/v1/compounds/yangguang/census/template'
const CHECK = 'POST /api/v1/compounds/yangguang/census/import?dry_run=1'
const LOAD = 'POST /api/v1/compounds/yangguang/census/import?dry_run=0'
const MASKED = 'GET /api/v1/compounds/yangguang/census/export?include_sensitive=0'
const FULL = (reason) =>
  `GET /api/v1/compounds/yangguang/census/export?include_sensitive=1&reason=${encodeURIComponent(reason)}`
const LEAD = { id: 8, nickname: '孙楼长', roles: [role('building_lead', 'building', 1, '1')], households: [] }

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  server.on('GET /api/v1/me', { status: 200, body: COMMITTEE })
  wx.openDocument = jest.fn((options) => setTimeout(() => options.success({}), 0))
  wx.chooseMessageFile = jest.fn((options) =>
    setTimeout(() => options.success({ tempFiles: [{ path: 'wxfile://tmp/登记.xlsx', name: '登记.xlsx', size: 2048 }] }), 0)
  )
})

const uploads = () => wx.uploadFile.mock.calls.map(([o]) => o)
const downloads = () => wx.downloadFile.mock.calls.map(([o]) => o.url.replace(/^https?:\/\/[^/]+/, ''))
const report = (extra = {}) => Object.assign({ dry_run: true, rows: 3, added: 2, updated: 1, errors: [] }, extra)

async function open(user = COMMITTEE, options = { compound: 'yangguang' }) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  const page = createPage('census-files')
  await page.onLoad(options)
  return page
}

async function rendered(user) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  const page = renderPage(FILES)
  await page.instance.onLoad({ compound: 'yangguang' })
  await sleep(0)
  return page
}

// ----- what each role sees -----

test('the committee sees the export and the import, with the steps in plain words', async () => {
  const page = await rendered(COMMITTEE)
  expect(texts(page, '.reach-line')).toEqual(['表格里是全小区的住户，每人一行。'])
  expect(texts(page, '.export-explain')).toEqual(['电话只显示前三位和后四位，不含关爱标记。'])
  expect(texts(page, '.sensitive-toggle')).toEqual(['□ 包含完整电话和关爱标记'])
  expect(texts(page, '.export-button')).toEqual(['导出住户登记'])
  expect(texts(page, '.download')).toEqual(['下载模板'])
  expect(texts(page, '.choose')).toEqual(['选择表格'])
  expect(texts(page, '.step')[0]).toMatch(/^1\. 点「下载模板」/)
})

test.each([
  ['a liaison', LIAISON, '表格里是您负责的 1-3 单元 的住户，每人一行。'],
  ['a building lead', LEAD, '表格里是您负责的 1号楼 的住户，每人一行。'],
])('%s exports their reach only: no template, no import', async (_, user, line) => {
  const page = await rendered(user)
  expect(texts(page, '.reach-line')).toEqual([line])
  expect(texts(page, '.export-button')).toEqual(['导出住户登记'])
  expect(page.querySelector('.download')).toBeUndefined()
  expect(page.querySelector('.choose')).toBeUndefined()
  const instance = await open(user)
  await instance.chooseFile()
  await instance.downloadTemplate()
  expect(wx.chooseMessageFile).not.toHaveBeenCalled()
  expect(wx.downloadFile).not.toHaveBeenCalled()
})

test.each([
  ['a resident', RESIDENT],
  ['the supervisor', SUPERVISOR],
])('%s is told who may export, and nothing else shows', async (_, user) => {
  const page = await rendered(user)
  expect(texts(page, '.denied')).toEqual(['只有单元联络人、楼栋长和业委会成员可以导出住户登记。'])
  expect(page.querySelector('.export-button')).toBeUndefined()
})

test('a failure to read who I am says why', async () => {
  server.on('GET /api/v1/me', { status: 503, body: { code: 'database_unavailable', message: '服务暂时不可用' } })
  const page = createPage('census-files')
  await page.onLoad({})
  expect(page.data.error).toBe('服务暂时不可用')
})

test('of two compounds, the one asked for is picked; import only where I am on the committee', async () => {
  const other = role('liaison', 'unit', 9, '2-1')
  Object.assign(other, { compound: 'hongqi', compound_name: '红旗小区' })
  const user = Object.assign({}, COMMITTEE, { roles: [COMMITTEE_ROLE, other] })
  const page = await open(user, { compound: 'hongqi' })
  expect([page.data.compoundIndex, page.data.canImport, page.data.reachLine]).toEqual([1, false, '您负责的 2-1 单元 的住户'])
  page.onCompoundChange({ detail: { value: '0' } })
  expect([page.data.compoundIndex, page.data.canImport, page.data.reachLine]).toEqual([0, true, '全小区的住户'])
})

// ----- export -----

test('导出 is masked by default: downloaded with the bearer header and opened, nothing asked', async () => {
  server.on(MASKED, { status: 200, file: 'wxfile://tmp/census.xlsx' })
  const page = await open(LIAISON)
  await page.exportCensus()
  expect(downloads()).toEqual(['/api/v1/compounds/yangguang/census/export?include_sensitive=0'])
  expect(wx.downloadFile.mock.calls[0][0].header.Authorization).toBe('Bearer valid-token')
  expect(wx.showModal).not.toHaveBeenCalled()
  expect(wx.openDocument).toHaveBeenCalledWith(
    expect.objectContaining({ filePath: 'wxfile://tmp/census.xlsx', fileType: 'xlsx', showMenu: true })
  )
  expect(page.data.exporting).toBe(false)
})

test('包含完整电话和关爱标记 asks for a reason before anything is sent', async () => {
  const page = await open(LIAISON)
  page.toggleSensitive()
  await page.exportCensus()
  expect(page.data.reasonError).toBe('请写明为什么要导出完整电话和关爱标记，如：上门走访')
  expect(wx.showModal).not.toHaveBeenCalled()
  expect(wx.downloadFile).not.toHaveBeenCalled()
})

test('with a reason, it says the export is recorded, then sends include_sensitive=1 and the reason', async () => {
  server.on(FULL('上门走访'), { status: 200, file: 'wxfile://tmp/full.xlsx' })
  const page = await open(LIAISON)
  page.toggleSensitive()
  page.pickReason({ currentTarget: { dataset: { reason: '上门走访' } } })
  await page.exportCensus()
  const asked = wx.showModal.mock.calls[0][0]
  expect(asked).toMatchObject({ title: '导出完整信息', confirmText: '导出', cancelText: '不导出' })
  expect(asked.content).toBe(
    '表格里会有住户的完整电话和关爱标记。这次导出会记在「查看记录」里，理由：上门走访。请妥善保管，不要转发到群里。'
  )
  expect(downloads()).toEqual([
    `/api/v1/compounds/yangguang/census/export?include_sensitive=1&reason=${encodeURIComponent('上门走访')}`,
  ])
  expect(wx.openDocument).toHaveBeenCalledWith(expect.objectContaining({ filePath: 'wxfile://tmp/full.xlsx' }))
})

test('a reason written by hand is sent trimmed; answering 不导出 sends nothing', async () => {
  const page = await open(COMMITTEE)
  page.toggleSensitive()
  page.onReasonInput({ detail: { value: ' 帮独居老人联系家属 ' } })
  cancelModal(wx)
  await page.exportCensus()
  expect(wx.downloadFile).not.toHaveBeenCalled()
  server.on(FULL('帮独居老人联系家属'), { status: 200 })
  await page.exportCensus()
  expect(downloads()).toEqual([
    `/api/v1/compounds/yangguang/census/export?include_sensitive=1&reason=${encodeURIComponent('帮独居老人联系家属')}`,
  ])
})

test('rendered: ticking the choice shows the warning, the reasons and the input', async () => {
  const page = await rendered(LIAISON)
  expect(page.querySelector('.sensitive-box')).toBeUndefined()
  page.querySelector('.sensitive-toggle').dispatchEvent('tap')
  await sleep(0)
  expect(texts(page, '.sensitive-toggle')).toEqual(['✓ 包含完整电话和关爱标记'])
  expect(texts(page, '.export-explain')).toEqual(['表格里会有完整电话和关爱标记。'])
  expect(texts(page, '.sensitive-warning')[0]).toMatch(/记在「查看记录」里/)
  expect(texts(page, '.reason-choice')).toEqual(['上门走访', '关爱走访', '核对登记'])
  expect(texts(page, '.export-button')).toEqual(['导出完整住户登记'])
  page.querySelector('.export-button').dispatchEvent('tap')
  await sleep(0)
  expect(texts(page, '.reason-error')).toEqual(['请写明为什么要导出完整电话和关爱标记，如：上门走访'])
})

test('an export that fails says so', async () => {
  server.on(MASKED, { status: 403 })
  const page = await open(LIAISON)
  await page.exportCensus()
  expect(wx.openDocument).not.toHaveBeenCalled()
  expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '住户登记没有导出来，请稍后再试' }))
})

// ----- import (the committee) -----

test('下载模板 downloads the template and opens it to forward', async () => {
  server.on(TEMPLATE, { status: 200, file: 'wxfile://tmp/census-template.xlsx' })
  const page = await open()
  await page.downloadTemplate()
  expect(downloads()).toEqual(['/api/v1/compounds/yangguang/census/template'])
  expect(wx.openDocument).toHaveBeenCalledWith(
    expect.objectContaining({ filePath: 'wxfile://tmp/census-template.xlsx', fileType: 'xlsx', showMenu: true })
  )
})

test('a template that cannot be downloaded speaks of the template', async () => {
  server.on(TEMPLATE, { status: 500 })
  const page = await open()
  await page.downloadTemplate()
  expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '模板没有下载下来，请稍后再试' }))
})

test('a chosen table is checked at once as a dry run, uploaded as `file`', async () => {
  server.on(CHECK, { status: 200, body: report() })
  const page = await open()
  await page.chooseFile()
  expect(wx.chooseMessageFile).toHaveBeenCalledWith(
    expect.objectContaining({ count: 1, type: 'file', extension: ['xlsx', 'csv'] })
  )
  const [sent] = uploads()
  expect(sent.url).toMatch(/\/api\/v1\/compounds\/yangguang\/census\/import\?dry_run=1$/)
  expect([sent.name, sent.filePath]).toEqual(['file', 'wxfile://tmp/登记.xlsx'])
  expect(page.data.fileName).toBe('登记.xlsx')
  expect(page.data.report.counts.map((c) => [c.label, c.value])).toEqual([
    ['新登记', 2],
    ['更新', 1],
    ['问题', 0],
  ])
  expect(page.data.report.canImport).toBe(true)
})

test('rendered: each problem reads 第 N 行：…, and no 确认导入 is offered', async () => {
  const errors = [
    { row: 3, message: '关系请填 业主、租户 或 家属（配偶、子女等写 家属）' },
    { row: 5, message: '本小区没有 9-1-101 这一户，请先在房屋名册里添加' },
  ]
  server.on(CHECK, { status: 200, body: report({ errors, added: 1, updated: 0 }) })
  const page = await rendered(COMMITTEE)
  await page.instance.chooseFile()
  await sleep(0)
  expect(texts(page, '.report-title')).toEqual(['检查结果：共 3 行'])
  expect(texts(page, '.problem')).toEqual([
    '第 3 行：关系请填 业主、租户 或 家属（配偶、子女等写 家属）',
    '第 5 行：本小区没有 9-1-101 这一户，请先在房屋名册里添加',
  ])
  expect(texts(page, '.count-problems .figure-value')).toEqual(['2'])
  expect(page.querySelector('.confirm-import')).toBeUndefined()
  await page.instance.confirmImport()
  expect(requestsMade(wx)).not.toContain(LOAD)
  expect(wx.uploadFile).toHaveBeenCalledTimes(1)
})

test('rendered: a clean table offers 确认导入', async () => {
  server.on(CHECK, { status: 200, body: report() })
  const page = await rendered(COMMITTEE)
  await page.instance.chooseFile()
  await sleep(0)
  expect(texts(page, '.file-name')).toEqual(['表格：登记.xlsx'])
  expect(texts(page, '.confirm-import')).toEqual(['确认导入'])
  expect(page.querySelector('.problems')).toBeUndefined()
})

test('a table with nobody to import says so and offers nothing', async () => {
  server.on(CHECK, { status: 200, body: report({ rows: 0, added: 0, updated: 0 }) })
  const page = await open()
  await page.chooseFile()
  expect([page.data.report.nothingToDo, page.data.report.canImport]).toEqual([true, false])
})

test('more than 50 problems are listed 50, the rest counted', async () => {
  const errors = Array.from({ length: 53 }, (_, i) => ({ row: i + 2, message: '姓名不能为空，最多 32 个字' }))
  server.on(CHECK, { status: 200, body: report({ errors }) })
  const page = await open()
  await page.chooseFile()
  expect(page.data.report.problems).toHaveLength(50)
  expect(page.data.report.problemsMore).toBe('还有 3 处问题没有列出')
})

test('a file the server cannot read says why under the file', async () => {
  server.on(CHECK, { status: 400, body: { code: 'bad_census_file', message: '文件里没有住户：表头下面请每行写一个人' } })
  const page = await open()
  await page.chooseFile()
  expect([page.data.report, page.data.checkError]).toEqual([null, '文件里没有住户：表头下面请每行写一个人'])
})

test('a file over 5 MB is refused before it is sent; a cancelled pick says nothing', async () => {
  wx.chooseMessageFile = jest.fn((options) =>
    setTimeout(() => options.success({ tempFiles: [{ path: 'wxfile://big.xlsx', name: 'big.xlsx', size: 6e6 }] }), 0)
  )
  const page = await open()
  await page.chooseFile()
  expect(page.data.checkError).toBe('文件太大（超过 5 MB），请分成几个文件导入')
  wx.chooseMessageFile = jest.fn((options) => setTimeout(() => options.fail({ errMsg: 'chooseMessageFile:fail cancel' }), 0))
  await page.chooseFile()
  expect(wx.uploadFile).not.toHaveBeenCalled()
  expect(wx.showToast).not.toHaveBeenCalled()
})

test('确认导入 asks first, then says what was done', async () => {
  server.on(CHECK, { status: 200, body: report() })
  server.on(LOAD, { status: 200, body: report({ dry_run: false }) })
  const page = await open()
  await page.chooseFile()
  await page.confirmImport()
  const asked = wx.showModal.mock.calls[0][0]
  expect(asked).toMatchObject({ title: '确认导入', confirmText: '导入', cancelText: '再看看' })
  expect(asked.content).toBe(
    '将新登记 2 人、更新 1 人。同一户里姓名相同的人会被更新，不会重复添加。请确认表格里的住户都已同意登记。'
  )
  const load = uploads()[1]
  expect(load.url).toMatch(/\/census\/import\?dry_run=0$/)
  expect(load.name).toBe('file')
  expect(page.data.result).toBe('已导入：新登记 2 人，更新 1 人')
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

test('a load refused as census_invalid shows its problems under the file', async () => {
  server.on(CHECK, { status: 200, body: report() })
  server.on(LOAD, {
    status: 400,
    body: {
      code: 'census_invalid',
      message: '登记表里有 1 处问题，没有导入任何内容。请改正后重新上传',
      report: report({ dry_run: false, errors: [{ row: 4, message: '王秀兰 已登记搬离这户，不能从表格重新导入；如已搬回，请联络人当面登记' }] }),
    },
  })
  const page = await open()
  await page.chooseFile()
  await page.confirmImport()
  expect(wx.showModal.mock.calls[1][0]).toMatchObject({
    title: '没有导入',
    content: '登记表里有 1 处问题，没有导入任何内容。请改正后重新上传（问题列在页面下方）',
  })
  expect(page.data.report.problems.map((p) => p.text)).toEqual([
    '第 4 行：王秀兰 已登记搬离这户，不能从表格重新导入；如已搬回，请联络人当面登记',
  ])
  expect(page.data.report.canImport).toBe(false)
  expect(page.data.result).toBe('')
})

test('a load refused for an archived compound is told in a dialog and the report stays', async () => {
  server.on(CHECK, { status: 200, body: report() })
  server.on(LOAD, { status: 409, body: { code: 'compound_archived', message: '本小区已归档，只能查看' } })
  const page = await open()
  await page.chooseFile()
  await page.confirmImport()
  expect(wx.showModal.mock.calls[1][0]).toMatchObject({ title: '没有导入', content: '本小区已归档，只能查看' })
  expect(page.data.report.canImport).toBe(true)
})
