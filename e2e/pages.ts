/**
 * The page on the small demo model. The app's default is the pretrained moee-smollm2; the mechanics
 * tests (typing, presets, exports, main-thread budgets) run on moee-demo, which loads in a second.
 */
export const DEMO_PAGE = '/?model=moee-demo';
