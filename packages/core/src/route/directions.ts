/**
 * Search directions: how a state was entered. 0 +x, 1 +y, 2 -x, 3 -y (horizontal), 4 up, 5 down,
 * 6 none (a start state). A search state is `cell * DIRECTIONS + direction`.
 */
export const DIRECTIONS = 7;
export const UP = 4;
export const DOWN = 5;
export const NONE = 6;
