// 待确认事项 (committee): two people for every yuan. Cash and transfers a
// collector recorded, with the receipt photo: a second committee member
// confirms (the bills become paid) or rejects with a reason (the bills are
// unpaid again). Below them every other change of money waiting for a second
// member: electricity readings (a flagged one must be checked), voids of
// readings, fee changes (old → new, from which period), refunds recorded and
// refunds through WeChat Pay (confirming one sends the money back). One's own
// proposals are shown as waiting, without buttons.
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { listOfflinePayments, confirmOfflinePayment, rejectOfflinePayment } = require('../../api/offline')
const { pendingChanges, confirmChange, rejectChange } = require('../../api/changes')
const { photoFile } = require('../../api/uploads')
const { offlinePaymentView } = require('../../utils/bills')
const { changeView } = require('../../utils/changes')
const { roleCompounds } = require('../../utils/user')
const { CONFIRMER_ROLES } = require('../../utils/labels')
const { errorMessage } = require('../../utils/errors')
const { showModal, confirm } = require('../../utils/ui')
const { loadable } = require('../../utils/page')

const COMMITTEE_ONLY = '只有业委会成员可以确认线下缴费和其他待确认事项。'

// What the reason dialog says to whom, by what is turned down.
const REJECT_HINTS = {
  cash: '登记人会看到这条理由；驳回后，这些账单恢复为未缴。',
  change: '提交人会看到这条理由；驳回后，这项变更不会生效。',
}

const CONFIRM_TITLES = {
  meter_reading: '确认电费',
  meter_void: '确认作废',
  fee_change: '确认调整',
  refund: '确认退款',
  wechat_refund: '微信退款',
}

// After a refund through WeChat Pay is confirmed: where the money goes, and
// where to follow it.
const REFUND_SENT = {
  title: '已确认退款',
  content:
    '钱已交给微信支付，原路退回住户付款时用的微信零钱或银行卡。退回后住户会收到通知；进度可以在「收缴情况」的「退款记录」里看。',
}

Page(
  loadable({
    data: {
      denied: '', // not on a committee: said once
      compounds: [],
      compoundIndex: 0,
      items: [],
      busyId: 0,
      // Changes waiting for a second member; null hides the section (an older server).
      changes: null,
      changesError: '',
      changesRetrying: false,
      busyChange: 0,
      // What the 驳回理由 dialog is open for: {kind: 'cash' | 'change', id}.
      rejecting: null,
      rejectHint: '',
    },

    onLoad() {
      this.photoPaths = {} // upload id → downloaded temp file ('' when it failed)
    },

    onShow() {
      return this.reload()
    },

    // Every load (a first show, 重试, pull-down, after a decision) fetches the
    // receipts it does not have yet afterwards, in the background: the
    // pull-down spinner stops when the list is there, not after the downloads.
    async reload() {
      await this.load()
      this.loadPhotos()
    },

    refresh() {
      return this.reload()
    },

    retry() {
      this.setData({ error: '', loaded: false })
      return this.reload()
    },

    async fetch() {
      await ensureLogin()
      let compounds = this.data.compounds
      if (!compounds.length) {
        compounds = roleCompounds(await getMe(), CONFIRMER_ROLES)
        if (!compounds.length) return { denied: COMMITTEE_ONLY }
      }
      const code = compounds[this.data.compoundIndex].code
      const [{ items }, changes] = await Promise.all([
        listOfflinePayments({ compound: code, status: 'pending' }),
        this.changesPatch(code),
      ])
      return Object.assign({ denied: '', compounds, items: this.withPhotos(items.map(offlinePaymentView)) }, changes)
    },

    // Nothing at all waits: one empty state instead of two empty sections.
    isEmpty(data) {
      return !data.denied && !data.items.length && !(data.changes || []).length && !data.changesError
    },

    // The other changes; a failure says so in their section, never hides the payments.
    async changesPatch(code) {
      try {
        const { items } = await pendingChanges(code)
        return { changes: items.map(changeView), changesError: '' }
      } catch (err) {
        const gone = err && err.status === 404
        return {
          changes: gone ? null : this.data.changes || [],
          changesError: gone ? '' : `待确认的变更暂时无法读取：${errorMessage(err)}`,
        }
      }
    },

    async loadChanges() {
      const patch = await this.changesPatch(this.compoundCode())
      patch.empty = this.isEmpty(Object.assign({}, this.data, patch))
      this.setData(patch)
    },

    // 重试 under the changes' error; the button spins until they answer.
    async retryChanges() {
      if (this.data.changesRetrying) return
      this.setData({ changesRetrying: true })
      await this.loadChanges()
      this.setData({ changesRetrying: false })
    },

    onCompoundChange(e) {
      this.setData({ compoundIndex: Number(e.detail.value), items: [], changes: null, loaded: false })
      return this.reload()
    },

    withPhotos(items) {
      const paths = this.photoPaths || {}
      return items.map((item) =>
        Object.assign({}, item, {
          photoPath: paths[item.receiptPhoto] || '',
          photoFailed: paths[item.receiptPhoto] === '',
        })
      )
    },

    // Receipts need the bearer header: download them one at a time, after
    // any pass still running. Resolves when the receipts shown are all there.
    loadPhotos() {
      this.photosDone = (this.photosDone || Promise.resolve()).then(() => this.downloadPhotos())
      return this.photosDone
    },

    async downloadPhotos() {
      this.photoPaths = this.photoPaths || {}
      for (const item of this.data.items) {
        const id = item.receiptPhoto
        if (!id || id in this.photoPaths) continue
        try {
          this.photoPaths[id] = await photoFile(id)
        } catch (err) {
          this.photoPaths[id] = ''
        }
        this.setData({ items: this.withPhotos(this.data.items) })
      }
    },

    previewReceipt(e) {
      const current = e.currentTarget.dataset.path
      if (current) wx.previewImage({ urls: [current], current })
    },

    find(id) {
      return this.data.items.find((item) => item.id === id)
    },

    async confirmItem(e) {
      const item = this.find(Number(e.currentTarget.dataset.id))
      if (!item) return
      const question = `${item.householdLabel}：${item.method} ¥${item.amount}（${item.paidOn}）。确认收到后，账单将记为已缴。`
      if (!(await confirm('确认收款', question, { confirmText: '确认收到' }))) return
      await this.decide(item.id, () => confirmOfflinePayment(item.id), '已确认')
    },

    rejectItem(e) {
      const item = this.find(Number(e.currentTarget.dataset.id))
      if (item && !this.data.busyId) this.openReject('cash', item.id)
    },

    // One decision at a time; the list is reloaded either way. The server's
    // refusal (the recorder confirming their own record, someone else deciding
    // first) is long: shown in a dialog rather than a toast.
    async decide(id, call, doneText) {
      if (this.data.busyId) return
      this.setData({ busyId: id })
      await this.attempt(call, doneText)
      this.setData({ busyId: 0 })
      await this.reload()
    },

    async attempt(call, doneText) {
      try {
        await call()
        // A word (已确认) goes by in a toast; what happens next stays in a dialog.
        if (typeof doneText === 'string') wx.showToast({ title: doneText, icon: 'success' })
        else await showModal(Object.assign({ showCancel: false, confirmText: '知道了' }, doneText))
      } catch (err) {
        await showModal({ title: '未能处理', content: errorMessage(err), showCancel: false, confirmText: '知道了' })
      }
    },

    // ----- the reason dialog, for a cash record or a change -----

    openReject(kind, id) {
      this.setData({ rejecting: { kind, id }, rejectHint: REJECT_HINTS[kind] })
    },

    onRejectCancel() {
      this.setData({ rejecting: null })
    },

    async onReject(e) {
      const target = this.data.rejecting
      this.setData({ rejecting: null })
      if (!target) return
      const reason = e.detail.reason
      if (target.kind === 'cash') {
        await this.decide(target.id, () => rejectOfflinePayment(target.id, reason), '已驳回')
        return
      }
      const code = this.compoundCode()
      await this.decideChange(target.id, () => rejectChange(code, target.id, reason), '已驳回')
    },

    // ----- the other changes -----

    findChange(id) {
      return (this.data.changes || []).find((change) => change.id === id)
    },

    compoundCode() {
      return this.data.compounds[this.data.compoundIndex].code
    },

    // 确认: the change in plain words and what confirming does; a flagged reading
    // says how far above the unit's recent ones it is, and confirming it says
    // the reading was checked.
    async confirmChangeItem(e) {
      const change = this.findChange(Number(e.currentTarget.dataset.id))
      if (!change || change.mine) return
      const title = change.flagged ? '读数偏高' : CONFIRM_TITLES[change.kind] || '确认'
      const content = `${change.lines.join('，')}。${change.question}`
      // Money sent back through WeChat Pay cannot be called back: the button says so.
      const words = change.kind === 'wechat_refund' ? { confirmText: '确认退款', cancelText: '再想想' } : undefined
      if (!(await confirm(title, content, words))) return
      const code = this.compoundCode()
      const call = () => confirmChange(code, change.id, { acknowledgeFlag: change.flagged })
      await this.decideChange(change.id, call, change.kind === 'wechat_refund' ? REFUND_SENT : '已确认')
    },

    rejectChangeItem(e) {
      const change = this.findChange(Number(e.currentTarget.dataset.id))
      if (change && !change.mine && !this.data.busyChange) this.openReject('change', change.id)
    },

    // One decision at a time; the list is reloaded either way, and the server's
    // refusal (someone else decided first, bills in a payment, ...) in a dialog.
    async decideChange(id, call, doneText) {
      if (this.data.busyChange) return
      this.setData({ busyChange: id })
      await this.attempt(call, doneText)
      this.setData({ busyChange: 0 })
      await this.loadChanges()
    },
  })
)
