// Type that follows WeChat's font size (设置 → 通用 → 字体大小) and care mode
// (关怀模式), for elderly eyes.
//
// How it works: every size of reading text in WXSS is written in rem, never
// rpx or px; 1rem is the page's root font size, which each page sets on its
// first node, <page-meta root-font-size="{{rootFontSize}}" />, from data that
// utils/page.js fills in with rootFontSize() below:
//   32rpx × wx.getAppBaseInfo().fontSizeScaleFactor, never less than 32rpx,
// written in px (page-meta takes a CSS length; rpx is not documented there).
// So 1rem is 32rpx at WeChat's standard size and ~45rpx in care mode (×1.4),
// and `font-size: 1rem` is the smallest reading text anywhere. (page-meta's
// root-font-size="system" would follow the setting too, but it makes 1rem the
// bare system size in px, below 32rpx on wide screens, and is reported not to
// work under Skyline; the factor works on every renderer.)

// Reading text is never below this (at the standard setting, 1rem).
const BASE_RPX = 32
// WeChat designs for a 750rpx-wide screen.
const DESIGN_WIDTH_RPX = 750
// The width WeChat's rpx is defined against, when the window cannot be read.
const FALLBACK_WINDOW_WIDTH = 375

function call(name) {
  try {
    return typeof wx !== 'undefined' && typeof wx[name] === 'function' ? wx[name]() || {} : {}
  } catch (err) {
    return {}
  }
}

// WeChat's font scale: 1 at the standard size, ~1.4 in care mode. Older
// versions only have getSystemInfoSync. Never below 1: a smaller setting does
// not make reading text smaller than 32rpx.
function fontScale() {
  const info = typeof wx !== 'undefined' && wx.getAppBaseInfo ? call('getAppBaseInfo') : call('getSystemInfoSync')
  const factor = Number(info.fontSizeScaleFactor)
  return factor > 1 ? factor : 1
}

function windowWidth() {
  const info = typeof wx !== 'undefined' && wx.getWindowInfo ? call('getWindowInfo') : call('getSystemInfoSync')
  return Number(info.windowWidth) || FALLBACK_WINDOW_WIDTH
}

// The root font size for <page-meta>, e.g. "16px" (375pt wide, standard size)
// or "22.4px" (care mode).
function rootFontSize() {
  const px = (windowWidth() / DESIGN_WIDTH_RPX) * BASE_RPX * fontScale()
  return `${Math.round(px * 10) / 10}px`
}

module.exports = { BASE_RPX, fontScale, rootFontSize }
