// 任免记录 (committee, finance supervisor): who appointed or removed whom, when,
// invites made and voided, terms set; newest first, a page at a time.
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { auditLog } = require('../../api/people')
const { roleCompounds } = require('../../utils/user')
const { PEOPLE_ROLES } = require('../../utils/labels')
const { auditView } = require('../../utils/people')
const { loadable } = require('../../utils/page')

const DENIED = '只有业委会成员和财务监督可以查看任免记录。'

Page(
  loadable({
    data: { compounds: [], compoundIndex: 0, denied: '', items: [], nextCursor: null },

    paging: { list: 'items', cursor: 'nextCursor' },

    onLoad() {
      return this.load()
    },

    async fetch(cursor) {
      await ensureLogin()
      let compounds = this.data.compounds
      if (!compounds.length) {
        compounds = roleCompounds(await getMe(), PEOPLE_ROLES)
        if (!compounds.length) return { denied: DENIED, items: [], nextCursor: null }
      }
      const page = await auditLog(compounds[this.data.compoundIndex].code, cursor ? { cursor } : {})
      return { compounds, denied: '', items: page.items.map(auditView), nextCursor: page.next_cursor || null }
    },

    isEmpty(data) {
      return !data.denied && !data.items.length
    },

    onCompoundChange(e) {
      this.setData({ compoundIndex: Number(e.detail.value), loaded: false, items: [], nextCursor: null })
      return this.load()
    },
  })
)
