// 住户登记覆盖 (the committee, building leads, liaisons): how many households of
// my reach have their census record confirmed, building by building and unit by
// unit, and how many still wait for a visit. Read only.
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { censusCoverage } = require('../../api/census')
const { roleCompounds } = require('../../utils/user')
const { COVERAGE_ROLES, coverageView } = require('../../utils/coverage')
const { loadable } = require('../../utils/page')

const DENIED = '只有单元联络人、楼栋长和业委会成员可以查看住户登记情况。'

Page(
  loadable({
    data: { denied: '', compounds: [], compoundIndex: 0, totals: null, buildings: [] },

    onLoad() {
      return this.load()
    },

    async fetch() {
      await ensureLogin()
      let compounds = this.data.compounds
      if (!compounds.length) {
        compounds = roleCompounds(await getMe(), COVERAGE_ROLES)
        if (!compounds.length) return { denied: DENIED, totals: null, buildings: [] }
      }
      const answer = await censusCoverage(compounds[this.data.compoundIndex].code)
      return Object.assign({ denied: '', compounds }, coverageView(answer))
    },

    isEmpty(data) {
      return !data.denied && !data.buildings.length
    },

    onCompoundChange(e) {
      this.setData({ compoundIndex: Number(e.detail.value), loaded: false, buildings: [], totals: null })
      return this.load()
    },
  })
)
