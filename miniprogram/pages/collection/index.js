// 收缴情况 (committee, supervisor): a month's households billed and paid, the
// collection rate, billed and collected money, per building and per unit; above
// them the payment anomalies still open and the latest daily reconciliation
// with WeChat Pay. The committee resolves an anomaly with a note and the refund
// made — a refund counts only once a second committee member confirms it
// (pages/confirm), and waits here until then; the supervisor only reads them.
// Money owed back on a WeChat payment can go back through WeChat Pay instead
// (微信退款 → pages/refunds, which also lists the compound's refunds).
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { collectionSummary, paymentAnomalies, resolveAnomaly, paymentReports } = require('../../api/fees')
const { summaryView } = require('../../utils/bills')
const { anomalyView, reportView, withRefundsInFlight } = require('../../utils/anomalies')
const { listRefunds } = require('../../api/refunds')
const { inFlightByAnomaly } = require('../../utils/refunds')
const { roleCompounds } = require('../../utils/user')
const { FINANCE_ROLES, ANOMALY_RESOLVER_ROLES } = require('../../utils/labels')
const { validateResolution } = require('../../utils/validate')
const { monthInShanghai, formatMonth } = require('../../utils/format')
const { errorMessage, fieldErrors } = require('../../utils/errors')
const { showModal } = require('../../utils/ui')
const { loadable } = require('../../utils/page')

const FINANCE_ONLY = '只有业委会和财务监督可以查看收缴情况。'
const ANOMALIES_UNREADABLE = '缴费异常暂时无法读取'

// 403 (a role that may not see them) or 404 (an older server): not for this
// user, so the section stays hidden and nothing is said.
const notForMe = (err) => err && (err.status === 403 || err.status === 404)

// The resolve form, closed.
const NO_FORM = { resolveId: 0, resolveNote: '', resolveRefund: '', resolveDueFen: 0, resolveErrors: {} }

Page(
  loadable({
    data: Object.assign(
      {
        denied: '', // neither committee nor supervisor: said once
        compounds: [],
        compoundIndex: 0,
        month: '',
        monthText: '',
        thisMonth: '',
        summary: null,
        // Open anomalies: null hides the section (not readable for this user).
        anomalies: null,
        anomaliesError: '',
        anomaliesRetrying: false,
        // The latest daily report: {line, differences}, or null.
        report: null,
        canResolve: false,
        resolving: false,
      },
      NO_FORM
    ),

    onLoad() {
      const month = monthInShanghai()
      this.setData({ month, monthText: formatMonth(month), thisMonth: month })
      return this.load()
    },

    // Back from 微信退款 or 退款记录: the anomalies read again, so a refund just
    // proposed shows under its anomaly and 微信退款 offers only what is left.
    onShow() {
      if (!this._refundsOpened || !this.compound()) return
      this._refundsOpened = false
      return this.loadAnomalies()
    },

    // My compounds (asked once), then the month's figures (their failure is
    // the page's), the open anomalies and the latest report (theirs are their own).
    async fetch() {
      await ensureLogin()
      let compounds = this.data.compounds
      if (!compounds.length) {
        const user = await getMe()
        const resolvers = roleCompounds(user, ANOMALY_RESOLVER_ROLES).map((c) => c.code)
        compounds = roleCompounds(user, FINANCE_ROLES).map((c) =>
          Object.assign(c, { canResolve: resolvers.includes(c.code) })
        )
        if (!compounds.length) return { denied: FINANCE_ONLY }
      }
      const compound = compounds[this.data.compoundIndex]
      const [summary, anomalies, report] = await Promise.all([
        this.summaryOf(compound),
        this.anomaliesPatch(compound),
        this.reportPatch(compound),
      ])
      return Object.assign({ denied: '', compounds, summary }, anomalies, report)
    },

    // A month nothing was billed for: said instead of empty figures.
    isEmpty(data) {
      return Boolean(data.summary && !data.summary.householdsBilled)
    },

    compound() {
      return this.data.compounds[this.data.compoundIndex]
    },

    async summaryOf(compound) {
      return summaryView(await collectionSummary({ compound: compound.code, period: this.data.month }))
    },

    // The open anomalies; never a toast: 403/404 hide the section, another
    // failure says so inside it, with its own 重试.
    async anomaliesPatch(compound) {
      try {
        const [{ items }, inFlight] = await Promise.all([
          paymentAnomalies(compound.code, { open: true }),
          this.refundsInFlight(compound),
        ])
        return {
          anomalies: items
            .filter((a) => !a.resolved_at)
            .map((a) => withRefundsInFlight(anomalyView(a), inFlight[a.id])),
          anomaliesError: '',
          canResolve: Boolean(compound.canResolve),
        }
      } catch (err) {
        return notForMe(err)
          ? { anomalies: null, anomaliesError: '', canResolve: false }
          : { anomalies: this.data.anomalies || [], anomaliesError: ANOMALIES_UNREADABLE }
      }
    },

    // Refunds through WeChat Pay on their way, by anomaly; none when they cannot
    // be read (an older server): the server refuses a refund beyond what is left.
    refundsInFlight(compound) {
      return listRefunds(compound.code).then(
        ({ items }) => inFlightByAnomaly(items),
        () => ({})
      )
    },

    async loadAnomalies() {
      this.setData(await this.anomaliesPatch(this.compound()))
    },

    async retryAnomalies() {
      if (this.data.anomaliesRetrying) return
      this.setData({ anomaliesRetrying: true })
      await this.loadAnomalies()
      this.setData({ anomaliesRetrying: false })
    },

    // The latest daily report's line; hidden when there is none or it cannot be read.
    async reportPatch(compound) {
      try {
        const { items } = await paymentReports(compound.code)
        return { report: reportView(items[0]) }
      } catch (err) {
        return { report: null }
      }
    },

    onCompoundChange(e) {
      this.setData(
        Object.assign({ compoundIndex: Number(e.detail.value), loaded: false, anomalies: null, report: null }, NO_FORM)
      )
      return this.load()
    },

    // <picker mode="date" fields="month">: "YYYY-MM". Only the figures are per
    // month: the anomalies and the report are not asked again.
    async onMonthChange(e) {
      const month = e.detail.value
      this.setData({ month, monthText: formatMonth(month), loaded: false })
      if (!this.data.compounds.length) return this.load()
      try {
        const summary = await this.summaryOf(this.compound())
        this.setData({ loaded: true, error: '', summary, empty: this.isEmpty({ summary }) })
      } catch (err) {
        this.setData({ loaded: true, error: errorMessage(err) })
      }
    },

    // 处理 (committee): the form under the anomaly, the refund prefilled with what is due.
    openResolve(e) {
      if (!this.data.canResolve || this.data.resolving) return
      const id = Number(e.currentTarget.dataset.id)
      const anomaly = (this.data.anomalies || []).find((a) => a.id === id)
      // A refund already waits for a second committee member, or goes back through
      // WeChat Pay: nothing more until then.
      if (!anomaly || anomaly.pendingRefund || anomaly.wechatRefunds.length) return
      this.setData({
        resolveId: id,
        resolveNote: '',
        resolveRefund: anomaly.refundDueFen ? anomaly.refundDue : '',
        resolveDueFen: anomaly.refundDueFen,
        resolveErrors: {},
      })
    },

    // 微信退款 (committee): the refund form of pages/refunds for this anomaly's
    // payment, the amount prefilled with what is still owed back.
    openWechatRefund(e) {
      if (!this.data.canResolve) return
      const id = Number(e.currentTarget.dataset.id)
      const anomaly = (this.data.anomalies || []).find((a) => a.id === id)
      if (!anomaly || !anomaly.paymentId || !anomaly.wechatLeftFen || anomaly.pendingRefund) return
      const code = encodeURIComponent(this.compound().code)
      this._refundsOpened = true
      wx.navigateTo({
        url: `/pages/refunds/index?compound=${code}&payment=${anomaly.paymentId}&anomaly=${id}&due=${anomaly.wechatLeftFen}`,
      })
    },

    // 退款记录: the compound's refunds through WeChat Pay.
    openRefunds() {
      const compound = this.compound()
      if (!compound) return
      this._refundsOpened = true
      wx.navigateTo({ url: `/pages/refunds/index?compound=${encodeURIComponent(compound.code)}` })
    },

    closeResolve() {
      if (!this.data.resolving) this.setData(NO_FORM)
    },

    clearResolveError(field) {
      const errors = Object.assign({}, this.data.resolveErrors)
      delete errors[field]
      return errors
    },

    onResolveNote(e) {
      this.setData({ resolveNote: e.detail.value, resolveErrors: this.clearResolveError('resolution') })
    },

    onResolveRefund(e) {
      this.setData({ resolveRefund: e.detail.value, resolveErrors: this.clearResolveError('refunded_fen') })
    },

    async submitResolve() {
      const id = this.data.resolveId
      if (!id || this.data.resolving || !this.data.canResolve) return
      const { errors, body } = validateResolution(
        { note: this.data.resolveNote, refund: this.data.resolveRefund },
        this.data.resolveDueFen
      )
      if (!body) {
        this.setData({ resolveErrors: errors })
        return
      }
      this.setData({ resolving: true, resolveErrors: {} })
      let after
      try {
        after = await resolveAnomaly(this.compound().code, id, body)
      } catch (err) {
        this.setData({ resolving: false })
        await this.resolveFailed(err)
        return
      }
      this.setData(Object.assign({ resolving: false }, NO_FORM))
      if (after && after.pending_refund) {
        // A refund waits for a second committee member before it counts.
        await showModal({
          title: '已登记退款',
          content: '退款须由另一位业委会成员在「待确认事项」里确认后才记入账本。',
          showCancel: false,
          confirmText: '知道了',
        })
      } else {
        // A refund in part leaves the anomaly open, with what is still to refund.
        const done = !after || after.resolved_at || !after.refund_left_fen
        wx.showToast({ title: done ? '已处理' : '已记录退款', icon: 'success' })
      }
      await this.loadAnomalies()
    },

    // The server's word: a refund over what is due or a bad field under the
    // fields; already resolved (409) in a dialog, then the list again; anything
    // else (403 committee_only, the network) in a dialog, the form kept.
    async resolveFailed(err) {
      if (err.code === 'refund_exceeds_due') {
        this.setData({ resolveErrors: { refunded_fen: errorMessage(err) } })
        return
      }
      const fields = fieldErrors(err)
      if (fields.resolution || fields.refunded_fen) {
        this.setData({ resolveErrors: fields })
        return
      }
      if (err.status === 409) {
        this.setData(NO_FORM)
        await showModal({ title: '未能处理', content: errorMessage(err), showCancel: false, confirmText: '知道了' })
        await this.loadAnomalies()
        return
      }
      await showModal({ title: '未能处理', content: errorMessage(err), showCancel: false, confirmText: '知道了' })
    },
  })
)
