// 月度公示: a month of the compound's money as a 75-year-old can read it — per
// fund the opening, each income and spending line, the closing, in big type;
// lines with receipts open their photos; 核对 asks the server to check every
// number against the ledger and says 一致 or what differs. Opened with ?id= (a
// push, the inbox, the list) it shows one disclosure; without, the list of the
// compound's disclosures and, for the committee, 生成公示 for a month. The
// finance supervisor signs a draft off (审核通过) or objects (有异议); the
// committee publishes a signed one (发布) and makes a corrected version.
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const {
  listDisclosures,
  getDisclosure,
  createDisclosure,
  signOff,
  objectTo,
  publishDisclosure,
  verifyDisclosure,
  disclosurePdf,
} = require('../../api/disclosures')
const { photoFile } = require('../../api/uploads')
const { disclosureView, itemView, verifyView, findLine } = require('../../utils/disclosures')
const { roleCompounds } = require('../../utils/user')
const { monthInShanghai, formatMonth } = require('../../utils/format')
const { errorMessage } = require('../../utils/errors')
const { confirmOnce, showModal } = require('../../utils/ui')
const { loadable } = require('../../utils/page')

const ANY_ROLE = ['resident', 'liaison', 'building_lead', 'committee', 'supervisor']

// "2026-12" → "2026-11".
function monthBefore(month) {
  const [year, number] = month.split('-').map(Number)
  return number === 1 ? `${year - 1}-12` : `${year}-${String(number - 1).padStart(2, '0')}`
}

// The dialog asking for words: an objection (supervisor) or what a corrected
// version changes (committee).
const DIALOGS = {
  object: {
    title: '有异议',
    hint: '业委会会看到您的意见，核对后生成更正版',
    placeholder: '如 修水泵的票据少了一张',
    confirmText: '提交异议',
  },
  correct: {
    title: '生成更正版',
    hint: '写明这一版改了什么，居民会看到',
    placeholder: '如 补上漏记的一笔电费',
    confirmText: '生成更正版',
  },
}

const tell = (title, err) => showModal({ title, content: errorMessage(err), showCancel: false, confirmText: '知道了' })

Page(
  loadable({
    data: {
      id: 0,
      disclosure: null,
      check: null,
      checking: false,
      busy: false,
      dialog: '',
      dialogText: DIALOGS.object,
      // The list (no id).
      compounds: [],
      compoundIndex: 0,
      items: [],
      canCreate: false,
      month: '',
      monthText: '',
      thisMonth: '',
    },

    onLoad(options = {}) {
      const thisMonth = monthInShanghai()
      const month = monthBefore(thisMonth)
      this.setData({ id: Number(options.id) || 0, thisMonth, month, monthText: formatMonth(month) })
      return this.load()
    },

    async fetch() {
      await ensureLogin()
      if (this.data.id) {
        return { disclosure: disclosureView(await getDisclosure(this.data.id)), check: null }
      }
      let compounds = this.data.compounds
      if (!compounds.length) {
        const user = await getMe()
        const committee = roleCompounds(user, ['committee']).map((c) => c.code)
        compounds = roleCompounds(user, ANY_ROLE).map((c) =>
          Object.assign(c, { committee: committee.includes(c.code) })
        )
        if (!compounds.length) return { compounds, items: [], canCreate: false }
      }
      const compound = compounds[this.data.compoundIndex]
      const { items } = await listDisclosures(compound.code)
      return { compounds, items: items.map(itemView), canCreate: compound.committee }
    },

    isEmpty(data) {
      return !data.id && !data.items.length && !data.canCreate
    },

    compound() {
      return this.data.compounds[this.data.compoundIndex]
    },

    onCompoundChange(e) {
      this.setData({ compoundIndex: Number(e.detail.value), loaded: false, items: [] })
      return this.load()
    },

    onMonthChange(e) {
      const month = e.detail.value
      this.setData({ month, monthText: formatMonth(month) })
    },

    openItem(e) {
      wx.navigateTo({ url: `/pages/disclosure/index?id=${e.currentTarget.dataset.id}` })
    },

    // 生成公示 (committee): the month frozen as it stands in the ledger now.
    async create() {
      if (this.data.busy || !this.data.canCreate) return
      const ok = await confirmOnce(
        this,
        `生成${this.data.monthText}公示`,
        '按账本现在的记录生成，生成后不能修改；如有错误，只能再生成更正版。',
        { confirmText: '生成', cancelText: '不生成' }
      )
      if (!ok) return
      this.setData({ busy: true })
      try {
        const made = await createDisclosure(this.compound().code, { month: this.data.month })
        this.setData({ busy: false })
        wx.navigateTo({ url: `/pages/disclosure/index?id=${made.id}` })
      } catch (err) {
        this.setData({ busy: false })
        await tell('未能生成', err)
      }
    },

    // 核对: the server recomputes every number from the ledger.
    async verify() {
      if (this.data.checking) return
      this.setData({ checking: true, check: null })
      try {
        this.setData({ checking: false, check: verifyView(await verifyDisclosure(this.data.id)) })
      } catch (err) {
        this.setData({ checking: false })
        await tell('暂时无法核对', err)
      }
    },

    // A line's receipts, full screen.
    async openReceipts(e) {
      const { account, key } = e.currentTarget.dataset
      const line = findLine(this.data.disclosure.funds, account, key)
      if (!line || !line.receipts.length) return
      try {
        const urls = await Promise.all(line.receipts.map((id) => photoFile(id)))
        wx.previewImage({ urls, current: urls[0] })
      } catch (err) {
        await tell('票据暂时打不开', err)
      }
    },

    async openPdf() {
      if (this.data.busy) return
      this.setData({ busy: true })
      try {
        const filePath = await disclosurePdf(this.data.id)
        this.setData({ busy: false })
        wx.openDocument({ filePath, fileType: 'pdf', showMenu: true })
      } catch (err) {
        this.setData({ busy: false })
        await tell('打印版暂时打不开', err)
      }
    },

    // One step on the disclosure, then it is shown again.
    async step(act, done) {
      this.setData({ busy: true })
      try {
        await act()
      } catch (err) {
        this.setData({ busy: false })
        await tell('未能完成', err)
        return false
      }
      this.setData({ busy: false, dialog: '' })
      wx.showToast({ title: done, icon: 'success' })
      await this.load()
      return true
    },

    async signOff() {
      if (this.data.busy || !this.data.disclosure.canSignOff) return
      const ok = await confirmOnce(this, '审核通过', '您已核对每个基金的期初、收入、支出和期末？通过后业委会就可以发布。', {
        confirmText: '通过',
        cancelText: '再看看',
      })
      if (ok) await this.step(() => signOff(this.data.id), '已审核通过')
    },

    async publish() {
      if (this.data.busy || !this.data.disclosure.canPublish) return
      const ok = await confirmOnce(this, '发布公示', '发布后全小区每户都会收到通知，发布后不能撤回。', {
        confirmText: '发布',
        cancelText: '不发布',
      })
      if (ok) await this.step(() => publishDisclosure(this.data.id), '已发布')
    },

    openObject() {
      if (!this.data.busy) this.setData({ dialog: 'object', dialogText: DIALOGS.object })
    },

    openCorrect() {
      if (!this.data.busy) this.setData({ dialog: 'correct', dialogText: DIALOGS.correct })
    },

    closeDialog() {
      if (!this.data.busy) this.setData({ dialog: '' })
    },

    async onDialogConfirm(e) {
      // A double tap on the dialog's button sends once (its busy prop may lag).
      if (this.data.busy || !this.data.dialog) return
      const { reason } = e.detail
      if (this.data.dialog === 'object') {
        await this.step(() => objectTo(this.data.id, reason), '已提交异议')
        return
      }
      const { disclosure } = this.data
      this.setData({ busy: true })
      try {
        const made = await createDisclosure(disclosure.compound, { month: disclosure.month, corrects: disclosure.id, changes: reason })
        this.setData({ busy: false, dialog: '' })
        wx.redirectTo({ url: `/pages/disclosure/index?id=${made.id}` })
      } catch (err) {
        this.setData({ busy: false })
        await tell('未能生成更正版', err)
      }
    },
  })
)
