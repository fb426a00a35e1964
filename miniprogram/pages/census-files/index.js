// 住户登记表格 (opened from 住户登记覆盖). Everyone who looks after households
// (the committee, building leads, liaisons) exports the census of their reach:
// phones masked and no care tags, unless they choose 包含完整电话和关爱标记,
// which takes a reason and a confirmation that it is recorded (查看记录). The
// committee also imports, as the roster does: 下载模板, fill it in, send it to
// a chat, 选择表格 (wx.chooseMessageFile), checked at once (dry run: nothing
// changes), then 确认导入 when the check found no problem.
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { censusTemplate, checkCensus, importCensus, exportCensus } = require('../../api/census-files')
const { roleCompounds } = require('../../utils/user')
const files = require('../../utils/census-files')
const { errorMessage, showError } = require('../../utils/errors')
const { chooseSpreadsheet } = require('../../services/spreadsheet')
const { confirm, showModal } = require('../../utils/ui')
const { loadable } = require('../../utils/page')

const DENIED = '只有单元联络人、楼栋长和业委会成员可以导出住户登记。'
const MAX_BYTES = 5 * 1024 * 1024 // the server's limit
const TOO_LARGE = '文件太大（超过 5 MB），请分成几个文件导入'
const STEPS = [
  '点「下载模板」，把表格转发到电脑上（如发给「文件传输助手」），用 Excel 打开。',
  '每行填一个人：楼号、单元、房号、姓名、关系必填；年龄段、电话、使用微信可不填。只填已经同意登记的住户。',
  '填好后把表格发到微信聊天里，再点「选择表格」从聊天里选中它，马上会检查。',
  '先看检查结果：有问题就按提示改好再选一次；没有问题再点「确认导入」。',
]

// A file picked, checked or loaded: cleared when another file is picked.
const NO_FILE = { fileName: '', filePath: '', report: null, checkError: '', result: '' }
const PLAIN_EXPORT = { sensitive: false, reason: '', reasonError: '' }

const openWorkbook = (filePath) =>
  new Promise((resolve, reject) =>
    wx.openDocument({ filePath, fileType: 'xlsx', showMenu: true, success: resolve, fail: reject })
  )

Page(
  loadable({
    data: Object.assign(
      {
        denied: '',
        compounds: [],
        compoundIndex: 0,
        canImport: false,
        reachLine: '',
        steps: STEPS,
        reasons: files.REASONS,
        reasonMax: files.REASON_MAX,
        exporting: false,
        downloading: false,
        checking: false,
        importing: false,
      },
      PLAIN_EXPORT,
      NO_FILE
    ),

    onLoad(options) {
      this.wanted = (options && options.compound) || ''
      return this.load()
    },

    async fetch() {
      await ensureLogin()
      const me = await getMe()
      const compounds = roleCompounds(me, files.EXPORT_ROLES)
      if (!compounds.length) return { denied: DENIED, compounds: [] }
      this.me = me
      const wanted = compounds.findIndex((c) => c.code === this.wanted)
      const compoundIndex = this.data.compounds.length ? this.data.compoundIndex : Math.max(0, wanted)
      return Object.assign({ denied: '', compounds }, this.compoundPatch(compounds[compoundIndex], compoundIndex))
    },

    // What one compound offers me: import only where I am on its committee.
    compoundPatch(compound, compoundIndex) {
      const committee = roleCompounds(this.me, files.IMPORT_ROLES).some((c) => c.code === compound.code)
      return { compoundIndex, canImport: committee, reachLine: files.reachLine(this.me, compound.code) }
    },

    compound() {
      return this.data.compounds[this.data.compoundIndex]
    },

    busy() {
      return this.data.exporting || this.data.checking || this.data.importing
    },

    onCompoundChange(e) {
      if (this.busy()) return
      const index = Number(e.detail.value)
      this.setData(Object.assign({}, NO_FILE, PLAIN_EXPORT, this.compoundPatch(this.data.compounds[index], index)))
    },

    // ----- 导出 -----

    toggleSensitive() {
      if (this.data.exporting) return
      this.setData({ sensitive: !this.data.sensitive, reasonError: '' })
    },

    pickReason(e) {
      this.setData({ reason: e.currentTarget.dataset.reason, reasonError: '' })
    },

    onReasonInput(e) {
      this.setData({ reason: e.detail.value, reasonError: '' })
    },

    // Masked: downloaded and opened at once. With phones in full and care
    // tags: a reason, then a question saying it is recorded.
    async exportCensus() {
      const compound = this.compound()
      if (!compound || this.data.exporting) return
      const { sensitive, reason } = this.data
      if (sensitive) {
        const problem = files.reasonProblem(reason)
        if (problem) {
          this.setData({ reasonError: problem })
          return
        }
        const question = files.sensitiveQuestion(reason)
        if (!(await confirm('导出完整信息', question, { confirmText: '导出', cancelText: '不导出' }))) return
      }
      this.setData({ exporting: true })
      try {
        const filePath = await exportCensus(compound.code, { sensitive, reason: String(reason).trim() })
        await openWorkbook(filePath)
      } catch (err) {
        showError(err && err.message ? err : { message: '表格打不开，请稍后再试' })
      } finally {
        this.setData({ exporting: false })
      }
    },

    // ----- 导入 (the committee) -----

    async downloadTemplate() {
      const compound = this.compound()
      if (!compound || !this.data.canImport || this.data.downloading) return
      this.setData({ downloading: true })
      try {
        await openWorkbook(await censusTemplate(compound.code))
      } catch (err) {
        showError(err && err.message ? err : { message: '模板打不开，请稍后再试' })
      } finally {
        this.setData({ downloading: false })
      }
    },

    // A file from a chat; a cancel says nothing, a refused privacy consent is
    // explained. The file is checked at once.
    chooseFile() {
      if (!this.compound() || !this.data.canImport || this.busy()) return Promise.resolve()
      return chooseSpreadsheet().then((file) => this.picked(file))
    },

    picked(file) {
      if (!file) return undefined
      const patch = Object.assign({}, NO_FILE, { fileName: file.name || '', filePath: file.path })
      if (file.size > MAX_BYTES) {
        this.setData(Object.assign(patch, { filePath: '', checkError: TOO_LARGE }))
        return undefined
      }
      this.setData(patch)
      return this.check()
    },

    // 检查 (dry run): the report, or why the file cannot be read, under the file.
    async check() {
      const compound = this.compound()
      if (!compound || !this.data.filePath || this.data.checking) return
      this.setData({ checking: true, checkError: '', report: null, result: '' })
      try {
        const report = files.importReportView(await checkCensus(compound.code, this.data.filePath))
        this.setData({ checking: false, report })
      } catch (err) {
        this.setData({ checking: false, checkError: errorMessage(err) })
      }
    },

    // 确认导入: asked first; then what was done.
    async confirmImport() {
      const compound = this.compound()
      const report = this.data.report
      if (!compound || !report || !report.canImport || this.data.importing || this.data.result) return
      const question = files.importQuestion(report)
      if (!(await confirm('确认导入', question, { confirmText: '导入', cancelText: '再看看' }))) return
      this.setData({ importing: true })
      try {
        const done = await importCensus(compound.code, this.data.filePath)
        this.setData({ importing: false, result: files.importResult(done), report: files.importReportView(done) })
      } catch (err) {
        // The records changed since the check (400 census_invalid): its new
        // report replaces the old one, so the problems show under the file.
        const again = err && err.code === 'census_invalid' && err.report
        this.setData(again ? { importing: false, report: files.importReportView(err.report) } : { importing: false })
        const content = again ? `${errorMessage(err)}（问题列在页面下方）` : errorMessage(err)
        await showModal({ title: '没有导入', content, showCancel: false, confirmText: '知道了' })
      }
    },
  })
)
