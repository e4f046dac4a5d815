export * from './matrix.ts';
export * from './similarity.ts';
export * from './standardize.ts';
export * from './stats.ts';
export * from './moee.ts';
export * from './sts.ts';
