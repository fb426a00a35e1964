// 导入房屋名册 (committee): load the compound's buildings, units and flats from a
// spreadsheet. Steps in plain words: 下载模板 (filled with the flats the
// compound already has; opened with wx.openDocument so it can be forwarded to a
// computer), fill it in Excel, send it to a WeChat chat, 选择文件 from that chat
// (wx.chooseMessageFile), which is checked at once (dry run: nothing changes),
// then 确认导入 when the check found no problem. A changed area or vacancy of an
// existing flat counts only after a second committee member confirms it
// (pages/confirm).
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { rosterTemplate, checkRoster, importRoster } = require('../../api/roster')
const { roleCompounds } = require('../../utils/user')
const { ROSTER_ROLES } = require('../../utils/labels')
const { reportView, resultText } = require('../../utils/roster')
const { errorMessage, showError } = require('../../utils/errors')
const { chooseSpreadsheet } = require('../../services/spreadsheet')
const { confirm, showModal } = require('../../utils/ui')
const { loadable } = require('../../utils/page')

const COMMITTEE_ONLY = '只有业委会成员可以导入房屋名册。'
const MAX_BYTES = 5 * 1024 * 1024 // the server's limit
const TOO_LARGE = '文件太大（超过 5 MB），请分成几个文件导入'
const STEPS = [
  '点「下载模板」，把表格转发到电脑上（如发给「文件传输助手」），用 Excel 打开。',
  '每行填一户：楼栋、单元、房号、建筑面积必填；楼层、状态（自住/出租/空置）、备注可不填。已有的房屋模板里已经填好。',
  '填好后把表格发到微信聊天里，再点「选择文件」从聊天里选中它。',
  '先看检查结果：有问题就按提示改好再选一次；没有问题再点「确认导入」。',
]

// A file picked, checked or loaded: cleared when another file is picked.
const NO_FILE = { fileName: '', filePath: '', report: null, checkError: '', result: '', approvalId: 0 }

Page(
  loadable({
    data: Object.assign(
      {
        steps: STEPS,
        compounds: [],
        compoundIndex: 0,
        denied: '',
        downloading: false,
        checking: false,
        importing: false,
      },
      NO_FILE
    ),

    onLoad(options) {
      this.wanted = (options && options.compound) || ''
      return this.load()
    },

    async fetch() {
      await ensureLogin()
      if (this.data.compounds.length) return {}
      const compounds = roleCompounds(await getMe(), ROSTER_ROLES)
      if (!compounds.length) return { denied: COMMITTEE_ONLY }
      const wanted = compounds.findIndex((c) => c.code === this.wanted)
      return { compounds, compoundIndex: wanted >= 0 ? wanted : 0, denied: '' }
    },

    compound() {
      return this.data.compounds[this.data.compoundIndex]
    },

    onCompoundChange(e) {
      if (this.data.checking || this.data.importing) return
      this.setData(Object.assign({ compoundIndex: Number(e.detail.value) }, NO_FILE))
    },

    // The template needs the bearer header: downloaded first, then opened;
    // WeChat's document viewer can forward it to a chat or a computer.
    async downloadTemplate() {
      const compound = this.compound()
      if (!compound || this.data.downloading) return
      this.setData({ downloading: true })
      try {
        const filePath = await rosterTemplate(compound.code)
        await new Promise((resolve, reject) =>
          wx.openDocument({ filePath, fileType: 'xlsx', showMenu: true, success: resolve, fail: reject })
        )
      } catch (err) {
        showError(err && err.message ? err : { message: '模板打不开，请稍后再试' })
      } finally {
        this.setData({ downloading: false })
      }
    },

    // A file from a chat; a cancel says nothing, a refused privacy consent is
    // explained. The file is checked at once.
    chooseFile() {
      if (!this.compound() || this.data.checking || this.data.importing) return Promise.resolve()
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
        const report = reportView(await checkRoster(compound.code, this.data.filePath))
        this.setData({ checking: false, report })
      } catch (err) {
        this.setData({ checking: false, checkError: errorMessage(err) })
      }
    },

    // 确认导入: asked first; then what was done, and whether changes wait.
    async confirmImport() {
      const compound = this.compound()
      const report = this.data.report
      if (!compound || !report || !report.canImport || this.data.importing || this.data.result) return
      const counts = report.counts
      let question = `将新增 ${counts[0].value} 户、更新 ${counts[1].value} 户。`
      if (report.pending) question += `其中 ${report.pending} 户的面积或空置变更，要另一位委员确认后才生效。`
      question += '文件里没有写到的房屋会保留，不会删除。'
      if (!(await confirm('确认导入', question, { confirmText: '导入', cancelText: '再看看' }))) return
      this.setData({ importing: true })
      try {
        const result = await importRoster(compound.code, this.data.filePath)
        this.setData({
          importing: false,
          result: resultText(result),
          approvalId: result.approval_id || 0,
          report: reportView(result),
        })
      } catch (err) {
        // The flats changed since the check (400 roster_invalid): its new
        // report replaces the old one, so the problems show under the file.
        const again = err && err.code === 'roster_invalid' && err.report
        this.setData(again ? { importing: false, report: reportView(err.report) } : { importing: false })
        const content = again ? `${errorMessage(err)}（问题列在页面下方）` : errorMessage(err)
        await showModal({ title: '没有导入', content, showCancel: false, confirmText: '知道了' })
      }
    },

    goConfirm() {
      wx.navigateTo({ url: '/pages/confirm/index' })
    },

    goBack() {
      wx.navigateBack()
    },
  })
)
