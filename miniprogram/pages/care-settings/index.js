// 走访频率 (volunteers read, the committee changes): how often a household with
// each care tag is visited (独居老人 every 7 days by default…), or not at all.
// Saving plans the open visits again, so it is asked first.
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { careCadences, saveCareCadences } = require('../../api/care-cadences')
const { roleCompounds } = require('../../utils/user')
const { CADENCE_ROLES, CADENCE_EDITOR_ROLES, cadenceRow, cadenceItems, cadenceSummary } = require('../../utils/cadences')
const { errorMessage, fieldErrors } = require('../../utils/errors')
const { confirmOnce, showModal } = require('../../utils/ui')
const { loadable } = require('../../utils/page')

const DENIED = '只有单元联络人、楼栋长和业委会成员可以查看走访频率。'

Page(
  loadable({
    data: { denied: '', compounds: [], compoundIndex: 0, canEdit: false, rows: [], saving: false, saveError: '' },

    onLoad() {
      return this.load()
    },

    async fetch() {
      await ensureLogin()
      let compounds = this.data.compounds
      if (!compounds.length) {
        const me = await getMe()
        compounds = roleCompounds(me, CADENCE_ROLES)
        if (!compounds.length) return { denied: DENIED, rows: [] }
        this.editorCodes = roleCompounds(me, CADENCE_EDITOR_ROLES).map((c) => c.code)
      }
      const code = compounds[this.data.compoundIndex].code
      const { items } = await careCadences(code)
      return {
        denied: '',
        compounds,
        canEdit: (this.editorCodes || []).includes(code),
        rows: items.map(cadenceRow),
        saveError: '',
      }
    },

    isEmpty(data) {
      return !data.denied && !data.rows.length
    },

    onCompoundChange(e) {
      this.setData({ compoundIndex: Number(e.detail.value), loaded: false, rows: [] })
      return this.load()
    },

    onSwitch(e) {
      const tag = e.currentTarget.dataset.tag
      this.setRow(tag, { on: Boolean(e.detail.value), error: '' })
    },

    onDays(e) {
      const tag = e.currentTarget.dataset.tag
      this.setRow(tag, { days: e.detail.value, error: '' })
    },

    setRow(tag, patch) {
      this.setData({ rows: this.data.rows.map((row) => (row.tag === tag ? Object.assign({}, row, patch) : row)), saveError: '' })
    },

    async save() {
      if (!this.data.canEdit || this.data.saving) return
      const { rows, items } = cadenceItems(this.data.rows)
      if (!items) {
        this.setData({ rows })
        return
      }
      const sure = await confirmOnce(
        this,
        '保存走访频率',
        `${cadenceSummary(items)}。保存后，还没去的走访会按新的频率重新排日子。`,
        { confirmText: '保存', cancelText: '再看看' }
      )
      if (!sure) return
      this.setData({ saving: true, saveError: '' })
      try {
        const saved = await saveCareCadences(this.data.compounds[this.data.compoundIndex].code, items)
        this.setData({ saving: false })
        wx.showToast({ title: '已保存', icon: 'success' })
        // The answer is the new list; an answer without it is read again.
        if (saved && saved.items) this.setData({ rows: saved.items.map(cadenceRow) })
        else await this.refresh()
      } catch (err) {
        const fields = fieldErrors(err)
        const message = Object.keys(fields).length ? Object.values(fields).join('；') : errorMessage(err)
        this.setData({ saving: false, saveError: message })
        if (!Object.keys(fields).length) await showModal({ title: '未能保存', content: message, showCancel: false, confirmText: '知道了' })
      }
    },
  })
)
